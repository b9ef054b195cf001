"""Checkpoints: `save_checkpoint`, `load_checkpoint` and `load_param_into_net`, in MindSpore's formats.

``format="ckpt"`` is MindSpore's ``.ckpt``: a stream of serialised protobuf ``Checkpoint`` records (the schema is in
`_checkpoint_proto`), one per tensor, or several with the same tag for a tensor over `SLICE_SIZE` KB (their bytes
concatenate), strings as ``'str'`` records in UTF-32, and, with ``crc_check``, a trailer ``b'crc_num'`` + the CRC32
of all record bytes in 10 big-endian bytes. ``format="safetensors"`` is the safetensors file MindSpore writes
(sorted names, metadata ``{"format": "ms"}``, ``"crc_num"`` with ``crc_check``).

A checkpoint is data: loading parses protobuf or safetensors and copies bytes, it never unpickles or runs anything
from the file. Loading is all or nothing: every record and every parameter is checked before any parameter of the
net changes, so a corrupt, truncated or mismatched file raises and leaves the net as it was.
"""
import binascii
import io
import json
import logging
import numbers
import os
import stat
import threading

import numpy as np

from .. import _checks
from .. import _backend
from .. import dtype as mstype
from ..common.parameter import Parameter
from ..common.tensor import Tensor

__all__ = ["save_checkpoint", "load_checkpoint", "load_param_into_net"]

logger = logging.getLogger(__name__)

SLICE_SIZE = 512 * 1024  # KB, MindSpore's constant: a tensor's bytes go in records of at most this many KB
_FORMATS = ("ckpt", "safetensors")
_DEFAULT_MODE = "AES-GCM"  # MindSpore's default enc_mode / dec_mode
_CRC_TAG, _CRC_BYTES = b"crc_num", 10
_STR = "str"  # the tensor_type of a string record
_TYPES = {str(t): t for t in mstype.all_types}  # tensor_type names are MindSpore's dtype names ('Float32')
_FLOATS = frozenset((mstype.float16, mstype.float32, mstype.float64))
_INTS = frozenset((mstype.int8, mstype.int16, mstype.int32, mstype.int64))  # MindSpore converts within these
_ASYNC_NAME = "asyn_save_ckpt"  # MindSpore's name for its saving thread
_SAVE_LOCK = threading.RLock()
_ZERO_CRC_MAX = 1 << 26  # see _safetensors_crc


# --- saving --------------------------------------------------------------------------------------------------
def save_checkpoint(save_obj, ckpt_file_name, integrated_save=True, async_save=False, append_dict=None,
                    enc_key=None, enc_mode=_DEFAULT_MODE, choice_func=None, crc_check=False, format="ckpt",
                    **kwargs):
    """Save the parameters of a network (or a list or dict of them) to a checkpoint file.

    The file is written under a temporary name and renamed, then made read-only, as MindSpore does; an existing
    file of that name is replaced.

    Args:
        save_obj (Cell | list | dict): a Cell (its parameters, by name); a list of Parameters (such as
            ``net.trainable_params()``) or of ``{"name": str, "data": Tensor}`` dicts; or a dict name -> Parameter,
            Tensor, numpy.ndarray or str (such as `load_checkpoint`'s result).
        ckpt_file_name (str): the file; ``'.ckpt'`` (``'.safetensors'``) is appended unless it ends so.
        integrated_save (bool): MindSpore's merging of parameters split over devices; a single device has
            nothing to merge. Default: True.
        async_save (bool | str): write in a background thread ("thread", "process" or True); the data are copied
            before the call returns, so later changes to the net are not saved. A "process" is run as a thread
            too (the same file results). Default: False.
        append_dict (dict): more entries, name -> int (saved as an Int64 scalar), float (a Float32 scalar),
            bool, str (a 'str' record) or Tensor. Default: None.
        enc_key (bytes): encryption key; encryption is not supported, so it must be None. Default: None.
        enc_mode (str): the encryption mode, used only with `enc_key`. Default: "AES-GCM".
        choice_func (Callable[[str], bool]): save only the parameters whose name it returns True for (not the
            `append_dict` entries). Default: None.
        crc_check (bool): append a CRC32 of the data, checked by ``load_checkpoint(crc_check=True)``.
            Default: False.
        format (str): "ckpt" or "safetensors". Default: "ckpt".
        kwargs: MindSpore's ``remove_redundancy`` (bool or None; recorded in a safetensors file's metadata),
            ``incremental`` (must be False) and ``global_step_num`` (must be None).

    Raises:
        TypeError: an argument of the wrong type, or an entry of `save_obj` or `append_dict` that is not a
            name and a Tensor (or str).
        ValueError: an unknown `format` or `async_save` string, an `enc_key`, a str saved as safetensors.
        IsADirectoryError: `ckpt_file_name` is a directory.

    Examples:
        >>> net = nn.Conv2d(1, 2, 3)
        >>> save_checkpoint(net, "conv.ckpt", append_dict={"epoch": 3})
        >>> sorted(load_checkpoint("conv.ckpt"))
        ['epoch', 'weight']
    """
    api = "save_checkpoint"
    path = _save_path(save_obj, ckpt_file_name, format)
    _checks.check_bool(api, "integrated_save", integrated_save)
    async_save = _check_async_save(async_save)
    _check_append_dict(append_dict)
    _check_key(api, "enc_key", enc_key, "encryption")
    _checks.check_type(api, "enc_mode", enc_mode, str, "a str")
    _checks.check_bool(api, "crc_check", crc_check)
    _check_choice_func(api, choice_func)
    remove_redundancy = _check_save_kwargs(kwargs)
    if format == "safetensors" and enc_mode != _DEFAULT_MODE:
        _checks.fail(api, "enc_mode", f"'{_DEFAULT_MODE}' when format is 'safetensors'", enc_mode)

    entries = _entries(save_obj, choice_func)
    for name, value in (append_dict or {}).items():
        entries[name] = value if isinstance(value, (str, Tensor)) else Tensor(value)  # 3 -> Int64, 1.5 -> Float32
    data = {name: value if isinstance(value, str) else _host_copy(value, async_save)
            for name, value in entries.items()}
    if format == "safetensors":
        strings = [name for name, value in data.items() if isinstance(value, str)]
        if strings:
            _checks.fail(api, "append_dict", "free of str values when format is 'safetensors' (safetensors holds "
                         "tensors only)", f"str values for {strings}")
        data = {name: data[name] for name in sorted(data)}
        metadata = {"format": "ms"}
        if remove_redundancy is not None:
            metadata["remove_redundancy"] = str(remove_redundancy)
        if crc_check:
            metadata["crc_num"] = str(_safetensors_crc(data, api))
        target = (path, format, _write_safetensors, data, metadata if data else None)
    else:
        target = (path, format, _write_ckpt, data, crc_check)
    if async_save:
        _wait_async_saves()
        threading.Thread(target=_write_file, args=target, name=_ASYNC_NAME).start()
    else:
        _write_file(*target)


def _save_path(save_obj, ckpt_file_name, format):
    from ..nn.cell import Cell  # train builds on nn: imported on first use
    api = "save_checkpoint"
    _checks.check_choice(api, "format", format, _FORMATS)
    if not isinstance(save_obj, (Cell, list, dict)):
        _checks.fail(api, "save_obj", "a Cell, list or dict", save_obj, TypeError)
    path = _check_path(api, ckpt_file_name)
    if os.path.isdir(path):
        raise IsADirectoryError(f"For '{api}', the 'ckpt_file_name' must be a file name, but got the directory "
                                f"{path!r}.")
    return path if path.endswith(format) else f"{path}.{format}"


def _check_path(api, file_name):
    if not isinstance(file_name, (str, os.PathLike)) or not isinstance(os.fspath(file_name), str):
        _checks.fail(api, "ckpt_file_name", "a str", file_name, TypeError)
    return os.path.realpath(os.fspath(file_name))


def _check_async_save(async_save):
    if isinstance(async_save, str):
        return _checks.check_choice("save_checkpoint", "async_save", async_save, ("process", "thread"))
    return _checks.check_type("save_checkpoint", "async_save", async_save, bool, "a bool or str")


def _check_append_dict(append_dict):
    if append_dict is None:
        return
    _checks.check_type("save_checkpoint", "append_dict", append_dict, dict, "a dict")
    for key, value in append_dict.items():
        if not isinstance(key, str) or not isinstance(value, (numbers.Real, str, Tensor)):  # Real: int, float, bool
            _checks.fail("save_checkpoint", "append_dict", "a dict of str -> int, float, bool, str or Tensor",
                         f"{key!r}: {type(value).__name__}", TypeError)


def _check_key(api, arg, key, what):
    _checks.check_type(api, arg, key, (type(None), bytes), "None or bytes")
    if key is not None:
        _checks.fail(api, arg, f"None ({what} is not supported)", "a key")


def _check_choice_func(api, choice_func):
    if choice_func is not None and not callable(choice_func):
        _checks.fail(api, "choice_func", "None or a function of a parameter name", choice_func, TypeError)


def _check_save_kwargs(kwargs):
    api = "save_checkpoint"
    unknown = sorted(set(kwargs) - {"remove_redundancy", "incremental", "global_step_num"})
    if unknown:
        raise TypeError(f"For '{api}', the keyword arguments must be among 'remove_redundancy', 'incremental' "
                        f"and 'global_step_num', but got {unknown}.")
    if kwargs.get("incremental", False) is not False:
        _checks.fail(api, "incremental", "False (there are no MapParameters)", kwargs["incremental"])
    if kwargs.get("global_step_num") is not None:
        _checks.fail(api, "global_step_num", "None (AITurbo saving is not supported)", kwargs["global_step_num"])
    remove_redundancy = kwargs.get("remove_redundancy")
    return _checks.check_type(api, "remove_redundancy", remove_redundancy, (type(None), bool), "None or a bool")


def _entries(save_obj, choice_func):
    """name -> Tensor or str of what `save_obj` holds, in order (a later duplicate name replaces the value)."""
    from ..nn.cell import Cell
    api = "save_checkpoint"
    chosen = (lambda name: True) if choice_func is None else choice_func
    entries = {}
    if isinstance(save_obj, Cell):
        for _, param in save_obj.parameters_and_names():
            if chosen(param.name):
                entries[param.name] = param
    elif isinstance(save_obj, dict):
        for name, value in save_obj.items():
            if not isinstance(name, str) or not isinstance(value, (Tensor, np.ndarray, str)):
                _checks.fail(api, "save_obj", "a dict of str -> Parameter, Tensor, numpy.ndarray or str",
                             f"{name!r}: {type(value).__name__}", TypeError)
            if chosen(name):
                entries[name] = Tensor(value) if isinstance(value, np.ndarray) else value
    elif save_obj and isinstance(save_obj[0], dict):
        for item in save_obj:
            if not (isinstance(item, dict) and "name" in item and "data" in item and isinstance(item["name"], str)
                    and isinstance(item["data"], Tensor)):
                _checks.fail(api, "save_obj", "a list of {'name': str, 'data': Tensor} dicts", item, TypeError)
            if chosen(item["name"]):
                entries[item["name"]] = item["data"]
    else:
        for param in save_obj:
            if not isinstance(param, Parameter):
                _checks.fail(api, "save_obj", "a list of Parameters or of {'name', 'data'} dicts", param, TypeError)
            if chosen(param.name):
                entries[param.name] = param
    return entries


def _host_copy(tensor, copy):
    """The data of `tensor` as a C-contiguous NumPy array (a device->host copy on a GPU); a private copy when
    `copy` (an asynchronous save must not see later changes)."""
    array = tensor.asnumpy()  # materialises a lazy parameter, as MindSpore's save does
    return np.array(array, order="C") if copy else np.asarray(array, order="C")


def _wait_async_saves():
    for thread in threading.enumerate():
        if thread.name == _ASYNC_NAME and thread is not threading.current_thread():
            thread.join()


def _write_file(path, format, write, data, option):
    """Write to a temporary file beside `path`, then rename it over `path` and make it read-only."""
    root, ext = os.path.splitext(path)
    temporary = root + ext.replace(f".{format}", ".tmp")
    if temporary == path:
        temporary = path + ".tmp"
    with _SAVE_LOCK:
        try:
            if os.path.exists(temporary):
                os.remove(temporary)
            write(temporary, data, option)
            os.replace(temporary, path)
            os.chmod(path, stat.S_IRUSR)
        except BaseException:
            logger.critical("Failed to save the checkpoint file %s.", path)
            if os.path.exists(temporary):
                os.remove(temporary)
            raise


def _records(name, value):
    """The records of one entry: (dims, tensor_type, bytes) per record, a tensor over SLICE_SIZE KB in several.

    Like MindSpore, a tensor with no elements has no record (MindSpore reads dims [0] as a scalar)."""
    if isinstance(value, str):
        yield [0], _STR, np.array(value, dtype="<U").tobytes()  # UTF-32-LE, at least one (NUL) character
        return
    dims, type_name = list(value.shape), str(mstype.to_dtype(value.dtype))
    flat = value.reshape(-1).view(np.uint8)
    chunk = max(1, int(1024 * SLICE_SIZE))  # bytes; a fractional SLICE_SIZE (tests) slices tiny tensors
    for start in range(0, flat.size, chunk):
        yield dims, type_name, flat[start:start + chunk].tobytes()


def _write_ckpt(path, data, crc_check):
    from ._checkpoint_proto import Checkpoint
    crc = 0
    with open(path, "wb") as file:
        for name, value in data.items():
            for dims, type_name, content in _records(name, value):
                record = Checkpoint()
                entry = record.value.add()
                entry.tag = name
                entry.tensor.dims.extend(dims)
                entry.tensor.tensor_type = type_name
                entry.tensor.tensor_content = content
                serialised = record.SerializeToString()
                if crc_check:
                    crc = binascii.crc32(serialised, crc)
                file.write(serialised)
        if crc_check:
            file.write(_CRC_TAG + crc.to_bytes(_CRC_BYTES, byteorder="big"))


def _write_safetensors(path, tensors, metadata):
    from safetensors.numpy import save_file
    save_file(tensors, path, metadata=metadata)


def _safetensors_crc(tensors, api):
    """MindSpore's CRC32 of a safetensors file: over each sorted name and ``bytes(array)``."""
    crc = 0
    for name in sorted(tensors):
        crc = binascii.crc32(name.encode("utf-8"), crc)
        array = tensors[name]
        if array.ndim == 0 and array.dtype.kind in "iu":
            # Python's bytes() of a 0-d integer array is that many zero bytes (it is an index), not its data
            count = int(array)
            if not 0 <= count <= _ZERO_CRC_MAX:
                _checks.fail(api, "crc_check", f"False for the 0-d integer tensor {name!r} (MindSpore's safetensors "
                             f"CRC covers bytes(value), {_ZERO_CRC_MAX} at most)", f"value {count}")
            chunk = bytes(min(count, 1 << 20))
            for start in range(0, count, len(chunk) or 1):
                crc = binascii.crc32(chunk[:count - start], crc)
        else:
            crc = binascii.crc32(array.tobytes(), crc)
    return crc


# --- loading -------------------------------------------------------------------------------------------------
def load_checkpoint(ckpt_file_name, net=None, strict_load=False, filter_prefix=None, dec_key=None,
                    dec_mode=_DEFAULT_MODE, specify_prefix=None, choice_func=None, crc_check=False,
                    remove_redundancy=False, format="ckpt"):
    """Load a checkpoint file into a dict name -> Parameter (or str), and into `net` when given.

    The Parameters are created on the current device (``context.set_context(device_target=...)``).

    Args:
        ckpt_file_name (str | io.BytesIO): the file, ending with '.ckpt' or '.safetensors' as `format` says
            (a BytesIO with safetensors only).
        net (Cell): load the parameters into it, as `load_param_into_net` does. Default: None.
        strict_load (bool): see `load_param_into_net`. Default: False.
        filter_prefix (str | list[str] | tuple[str]): skip the entries whose name starts with one of these.
            Default: None.
        dec_key (bytes): decryption key; decryption is not supported, so it must be None. Default: None.
        dec_mode (str): the decryption mode, used only with `dec_key`. Default: "AES-GCM".
        specify_prefix (str | list[str] | tuple[str]): load only the entries whose name starts with one of
            these. Default: None.
        choice_func (Callable[[str], bool]): load only the entries whose name it returns True for; ignored when
            `filter_prefix` or `specify_prefix` is given. Default: None.
        crc_check (bool): check the file's CRC32 (a file without one loads, with a warning). Default: False.
        remove_redundancy (bool): MindSpore's loading of a checkpoint saved without the copies of data-parallel
            devices; a single device has none, so it must be False when `net` is given. Default: False.
        format (str): "ckpt" or "safetensors". Default: "ckpt".

    Returns:
        dict: name -> Parameter (named so), or str for a string entry, in the file's order.

    Raises:
        TypeError: an argument of the wrong type; `remove_redundancy` with a `net`.
        ValueError: a missing, empty, corrupt or truncated file, a CRC mismatch, a `dec_key`, a bad prefix, or
            nothing left to load after filtering.
        RuntimeError: a parameter whose shape or dtype does not match `net` (nothing is loaded then).

    Examples:
        >>> net = nn.Conv2d(1, 2, 3)
        >>> save_checkpoint(net, "conv.ckpt")
        >>> load_checkpoint("conv.ckpt")
        {'weight': Parameter (name=weight, shape=(2, 1, 3, 3), dtype=Float32, requires_grad=True)}
    """
    from ..nn.cell import Cell
    api = "load_checkpoint"
    specify_prefix = _check_prefix("specify_prefix", specify_prefix)
    filter_prefix = _check_prefix("filter_prefix", filter_prefix)
    _check_key(api, "dec_key", dec_key, "decryption")
    _checks.check_type(api, "dec_mode", dec_mode, str, "a str")
    _checks.check_bool(api, "crc_check", crc_check)
    _checks.check_bool(api, "remove_redundancy", remove_redundancy)
    _checks.check_bool(api, "strict_load", strict_load)
    _check_choice_func(api, choice_func)
    if net is not None:
        _checks.check_type(api, "net", net, Cell, "None or a Cell")
        _check_remove_redundancy(api, remove_redundancy)
    _checks.check_choice(api, "format", format, _FORMATS)
    if format == "safetensors" and dec_mode != _DEFAULT_MODE:
        _checks.fail(api, "dec_mode", f"'{_DEFAULT_MODE}' when format is 'safetensors'", dec_mode)
    source = _check_source(ckpt_file_name, format)

    if specify_prefix is not None or filter_prefix is not None:
        def wanted(name):
            return ((specify_prefix is None or name.startswith(specify_prefix))
                    and not (filter_prefix is not None and name.startswith(filter_prefix)))
    else:
        def wanted(name):
            return choice_func is None or bool(choice_func(name))
    read = _read_safetensors if format == "safetensors" else _read_ckpt
    parameter_dict = read(source, wanted, crc_check)
    if not parameter_dict:
        raise ValueError(f"For '{api}', the loaded parameter dict must not be empty, but nothing was left in "
                         f"{_shown_source(source)} after 'filter_prefix', 'specify_prefix' or 'choice_func'.")
    if net is not None:
        load_param_into_net(net, parameter_dict, strict_load)
    return parameter_dict


def _check_prefix(arg, prefix):
    """None, or the prefixes as a tuple of non-empty strs."""
    if prefix is None:
        return None
    api = "load_checkpoint"
    if isinstance(prefix, str):
        prefix = (prefix,)
    if not isinstance(prefix, (list, tuple)) or not all(isinstance(p, str) for p in prefix):
        _checks.fail(api, arg, "a str, list[str] or tuple[str]", prefix, TypeError)
    if not prefix or "" in prefix:
        _checks.fail(api, arg, "one or more non-empty strs", prefix)
    return tuple(prefix)


def _check_remove_redundancy(api, remove_redundancy):
    if remove_redundancy:
        _checks.fail(api, "remove_redundancy", "False (deduplicated loading needs data parallelism, "
                     "and minispore runs stand-alone)", remove_redundancy, TypeError)


def _check_source(file, format):
    """The real path of the file (or the BytesIO), checked to exist and end with the format's name."""
    api = "load_checkpoint"
    if isinstance(file, io.BytesIO):
        if format == "ckpt":
            _checks.fail(api, "ckpt_file_name", "a str when format is 'ckpt' (a BytesIO with 'safetensors' only)",
                         file, TypeError)
        return file
    path = _check_path(api, file)
    if not os.fspath(file).endswith(format):
        _checks.fail(api, "ckpt_file_name", f"a file name ending with '{format}' (the 'format')", os.fspath(file))
    if not os.path.isfile(path):
        _checks.fail(api, "ckpt_file_name", "an existing checkpoint file", path)
    return path


def _shown_source(source):
    return "the BytesIO" if isinstance(source, io.BytesIO) else repr(source)


def _corrupt(source, why):
    return ValueError(f"For 'load_checkpoint', the checkpoint file {_shown_source(source)} must be a valid "
                      f"checkpoint, but {why}; the file may be corrupted or truncated.")


def _read_ckpt(path, wanted, crc_check):
    """name -> Parameter or str of the wanted entries of a .ckpt file; every record is checked first."""
    from google.protobuf.message import DecodeError

    from ._checkpoint_proto import Checkpoint
    try:
        with open(path, "rb") as file:
            content = file.read()
    except OSError as exc:
        raise ValueError(f"For 'load_checkpoint', the checkpoint file {path!r} must be readable, but reading it "
                         f"failed ({exc}).") from None
    trailer = len(_CRC_TAG) + _CRC_BYTES
    if content[-trailer:-_CRC_BYTES] == _CRC_TAG:
        expected = int.from_bytes(content[-_CRC_BYTES:], byteorder="big")
        content = content[:-trailer]
        if crc_check and binascii.crc32(content) != expected:
            raise ValueError(f"For 'load_checkpoint', the crc check of {path!r} failed: the file is damaged.")
    elif crc_check:
        logger.warning("For 'load_checkpoint', the checkpoint file %r has no crc code to check.", path)
    try:
        checkpoint = Checkpoint.FromString(content)
    except DecodeError:
        raise _corrupt(path, "its content cannot be parsed as protobuf") from None
    if not checkpoint.IsInitialized():
        raise _corrupt(path, f"it lacks required fields {checkpoint.FindInitializationErrors()[:3]}")
    records = checkpoint.value
    result, start = {}, 0
    for end in range(1, len(records) + 1):  # runs of consecutive records with one tag are one entry
        if end < len(records) and records[end].tag == records[start].tag:
            continue
        run, start = records[start:end], end
        if wanted(run[0].tag):
            result[run[0].tag] = _entry(path, run)
    return result


def _entry(path, run):
    """The Parameter (or str) of a run of same-tag records, after checking their types, dims and sizes."""
    tag = run[0].tag
    if any(not record.HasField("tensor") for record in run):
        raise _corrupt(path, f"the entry {tag!r} is a MapParameter, which minispore does not support")
    first = run[0].tensor
    if any(r.tensor.tensor_type != first.tensor_type or list(r.tensor.dims) != list(first.dims) for r in run):
        raise _corrupt(path, f"the slices of {tag!r} disagree on their dtype or shape")
    content = b"".join(record.tensor.tensor_content for record in run)
    type_name, dims = first.tensor_type, list(first.dims)
    if type_name == _STR:
        if len(content) % 4:
            raise _corrupt(path, f"the string {tag!r} has {len(content)} bytes, not a multiple of 4 (UTF-32)")
        try:
            return content.decode("utf-32-le", errors="surrogatepass").rstrip("\0")  # NumPy's 'U': no trailing NUL
        except UnicodeDecodeError:
            raise _corrupt(path, f"the string {tag!r} is not valid UTF-32") from None
    dtype = _TYPES.get(type_name)
    if dtype is None:
        raise _corrupt(path, f"the entry {tag!r} has the tensor type {type_name!r}, which is not one of "
                       f"{sorted(_TYPES)}")
    if any(d < 0 for d in dims):
        raise _corrupt(path, f"the entry {tag!r} has the negative dims {dims}")
    if dims == [0] and content:
        dims = []  # MindSpore's reading of dims [0]: a scalar
    itemsize = dtype.np_type.itemsize
    if len(content) != int(np.prod(dims, dtype=object)) * itemsize:
        raise _corrupt(path, f"the entry {tag!r} of shape {tuple(dims)} and type {type_name} has {len(content)} "
                       f"bytes of data")
    if dtype is mstype.bool_:
        array = np.frombuffer(content, np.uint8) != 0  # any other byte than 0 and 1 is still a valid bool
    else:
        array = np.frombuffer(content, dtype.np_type.newbyteorder("<")).astype(dtype.np_type)  # a writable copy
    return _parameter(array.reshape(dims), tag)


def _parameter(array, name):
    backend = _backend.current_backend()
    return Parameter(Tensor._wrap(backend.from_host(array), backend), name=name)


def _read_safetensors(source, wanted, crc_check):
    """name -> Parameter of the wanted tensors of a safetensors file (a path or a BytesIO)."""
    try:
        tensors, metadata = _safetensors_content(source)
    except Exception as exc:  # safetensors raises its own SafetensorError (an Exception) for a bad file
        raise _corrupt(source, f"safetensors cannot read it ({type(exc).__name__}: {exc})") from None
    metadata = metadata or {}
    if crc_check:
        if "crc_num" not in metadata:
            logger.warning("For 'load_checkpoint', the safetensors file %s has no crc code to check.",
                           _shown_source(source))
        elif str(_safetensors_crc(tensors, "load_checkpoint")) != metadata["crc_num"]:
            raise ValueError(f"For 'load_checkpoint', the crc check of {_shown_source(source)} failed: the file is "
                             f"damaged.")
    result = {}
    for name in sorted(tensors):
        if not wanted(name):
            continue
        if name in metadata:  # MindSpore marks its packed Int4 tensors so
            raise _corrupt(source, f"the tensor {name!r} has the MindSpore type {metadata[name]!r}, which "
                           f"minispore does not support")
        array = tensors[name]
        if mstype.to_dtype(array.dtype) is None:
            raise _corrupt(source, f"the tensor {name!r} has the dtype {array.dtype}, which minispore lacks")
        result[name] = _parameter(np.asarray(array, order="C"), name)
    return result


def _safetensors_content(source):
    """({name: numpy.ndarray}, metadata dict or None) of a safetensors file or BytesIO."""
    import safetensors
    import safetensors.numpy
    if isinstance(source, io.BytesIO):
        content = source.getvalue()
        header_size = int.from_bytes(content[:8], "little")
        tensors = safetensors.numpy.load(content)  # checks the whole layout
        return tensors, json.loads(content[8:8 + header_size]).get("__metadata__")
    with safetensors.safe_open(source, framework="numpy") as file:
        return {name: file.get_tensor(name) for name in file.keys()}, file.metadata()


# --- into a network ------------------------------------------------------------------------------------------
def load_param_into_net(net, parameter_dict, strict_load=False, remove_redundancy=False):
    """Load the Parameters of `parameter_dict` into the parameters of `net` of the same name.

    Every match is checked before any parameter changes: on a shape or dtype mismatch nothing is loaded. A
    parameter of `net` gets a copy of the data, converted to its own dtype and device.

    Args:
        net (Cell): the network.
        parameter_dict (dict): name -> Parameter (or str, skipped), such as `load_checkpoint`'s result.
        strict_load (bool): if False, a float parameter takes another float dtype (float16 <-> float32 ...) and an
            int one another int dtype (int8 ... int64), and the parameters left unloaded are matched by name
            suffix: a prefix P is found such that P + name is in `parameter_dict` for one of them, then every
            unloaded parameter loads P + its name, and so on while a prefix is found. If True, names and dtypes
            must match exactly (a mismatched dtype raises). Default: False.
        remove_redundancy (bool): MindSpore's deduplicated loading, for data parallelism only; must be False.
            Default: False.

    Returns:
        tuple(list[str], list[str]): `param_not_load`, the names of net parameters not loaded (names starting
        with 'accu_grads' are never listed), and `ckpt_not_load`, the names of `parameter_dict` not loaded by an
        exact name (as in MindSpore, a name loaded by suffix matching is still listed).

    Raises:
        TypeError: `net` is not a Cell, `parameter_dict` not a dict of str -> Parameter or str, `strict_load` not
            a bool, or `remove_redundancy` set.
        RuntimeError: a parameter of another shape, or of a dtype it does not convert from.

    Examples:
        >>> net = nn.Conv2d(1, 2, 3)
        >>> load_param_into_net(net, {"weight": Parameter(Tensor(np.ones([2, 1, 3, 3]), mstype.float32))})
        ([], [])
    """
    from ..nn.cell import Cell
    api = "load_param_into_net"
    _checks.check_type(api, "net", net, Cell, "a Cell")
    _checks.check_type(api, "parameter_dict", parameter_dict, dict, "a dict")
    for key, value in parameter_dict.items():
        if not isinstance(key, str) or not isinstance(value, (Parameter, str, list)):
            _checks.fail(api, "parameter_dict", "a dict of str -> Parameter or str",
                         f"{key!r}: {type(value).__name__}", TypeError)
    _checks.check_bool(api, "strict_load", strict_load)
    _checks.check_bool(api, "remove_redundancy", remove_redundancy)
    _check_remove_redundancy(api, remove_redundancy)

    params = [param for _, param in net.parameters_and_names()]
    plan, param_not_load, ckpt_not_load = [], [], list(parameter_dict)
    for param in params:
        if param.name in parameter_dict:
            new = parameter_dict[param.name]
            if isinstance(new, Parameter):  # a str (or MapParameter list) entry is not loaded, as in MindSpore
                plan.append((param, param.name, new))
                if param.name in ckpt_not_load:
                    ckpt_not_load.remove(param.name)
        elif not param.name.startswith("accu_grads"):
            param_not_load.append(param.name)
    if param_not_load and not strict_load:
        plan += _match_by_suffix(params, parameter_dict, param_not_load)

    staged = [(param, _staged(param, key, new, strict_load)) for param, key, new in plan]  # raises before any change
    for param, tensor in staged:
        param.set_data(tensor)
    if param_not_load:
        logger.warning("For 'load_param_into_net', %d parameters of the 'net' are not loaded: %s.",
                       len(param_not_load), param_not_load)
    return param_not_load, ckpt_not_load


def _match_by_suffix(params, parameter_dict, param_not_load):
    """MindSpore's loading of unloaded parameters under a name prefix; updates `param_not_load`, returns
    (param, key, new) triples."""
    plan = []
    while param_not_load:
        prefix = next((key[:-len(name)] for name in param_not_load for key, value in parameter_dict.items()
                       if isinstance(value, Parameter) and name and key.endswith(name)), None)
        if prefix is None:
            break
        logger.warning("For 'load_param_into_net', loading parameters under the prefix %r.", prefix)
        for param in params:
            new = parameter_dict.get(prefix + param.name)
            if param.name in param_not_load and isinstance(new, Parameter):
                plan.append((param, prefix + param.name, new))
                param_not_load.remove(param.name)
    return plan


def _staged(param, key, new, strict_load):
    """A Tensor on `param`'s device holding a copy of `new` (`parameter_dict[key]`) in `param`'s dtype;
    RuntimeError when they do not match."""
    api = "load_param_into_net"
    shape = param.shape
    extra = new.shape[len(shape):]
    if new.shape != shape and not (new.shape[:len(shape)] == shape and extra and all(d == 1 for d in extra)):
        _checks.fail(api, f"parameter_dict['{key}']", f"of the same shape as '{param.name}' in the 'net', "
                     f"{shape}", f"shape {new.shape}", RuntimeError)  # (2, 3, 1, 1) loads into (2, 3), as MindSpore
    if new.dtype != param.dtype:
        if strict_load or not ({new.dtype, param.dtype} <= _FLOATS or {new.dtype, param.dtype} <= _INTS):
            _checks.fail(api, f"parameter_dict['{key}']", f"of the same type as '{param.name}' in the 'net', "
                         f"{param.dtype}" + ("" if strict_load else " (or of its kind, float or int)"),
                         f"type {new.dtype}", RuntimeError)
        logger.warning("For 'load_param_into_net', converting %s from %s to %s.", param.name, new.dtype,
                       param.dtype)
    host = np.array(new.asnumpy().reshape(shape), dtype=param.dtype.np_type)  # a copy: the net shares no memory
    return Tensor._wrap(param._backend.from_host(host), param._backend)  # synchronize! a host->device copy
