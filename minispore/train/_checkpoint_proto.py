"""The protobuf messages of MindSpore's ``.ckpt`` format (its ``checkpoint.proto``), built at import.

The schema is small, so it is written here as a ``FileDescriptorProto`` rather than as protoc output: no
generated code to regenerate, and no tie to the protobuf runtime version protoc was run with. It lives in a
private descriptor pool, so it never clashes with MindSpore's own ``checkpoint.proto`` in the same process.
The schema, in .proto syntax (proto2, as MindSpore's; field numbers and labels are the wire format)::

    message Checkpoint {
      message Value {
        required string tag = 1;
        oneof value { TensorProto tensor = 2; MapTensorProto maptensor = 3; }
      }
      repeated Value value = 1;
    }
    message TensorProto {
      repeated int64 dims = 1;
      required string tensor_type = 2;
      required bytes tensor_content = 3;
    }
    message MapTensorProto { repeated TensorProto tensor = 1; }

A file is a concatenation of serialised ``Checkpoint`` messages (one per record), which protobuf parses as one
``Checkpoint`` whose ``value`` list is the records in order; an optional CRC trailer follows (see serialization).
"""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

__all__ = ["Checkpoint", "TensorProto"]

_F = descriptor_pb2.FieldDescriptorProto


def _field(message, name, number, label, kind, type_name=None, oneof_index=None):
    field = message.field.add(name=name, number=number, label=label, type=kind)
    if type_name is not None:
        field.type_name = type_name
    if oneof_index is not None:
        field.oneof_index = oneof_index


def _file_descriptor():
    proto = descriptor_pb2.FileDescriptorProto(name="checkpoint.proto")  # proto2: no 'syntax' set
    checkpoint = proto.message_type.add(name="Checkpoint")
    _field(checkpoint, "value", 1, _F.LABEL_REPEATED, _F.TYPE_MESSAGE, ".Checkpoint.Value")
    value = checkpoint.nested_type.add(name="Value")
    value.oneof_decl.add(name="value")
    _field(value, "tag", 1, _F.LABEL_REQUIRED, _F.TYPE_STRING)
    _field(value, "tensor", 2, _F.LABEL_OPTIONAL, _F.TYPE_MESSAGE, ".TensorProto", oneof_index=0)
    _field(value, "maptensor", 3, _F.LABEL_OPTIONAL, _F.TYPE_MESSAGE, ".MapTensorProto", oneof_index=0)
    tensor = proto.message_type.add(name="TensorProto")
    _field(tensor, "dims", 1, _F.LABEL_REPEATED, _F.TYPE_INT64)
    _field(tensor, "tensor_type", 2, _F.LABEL_REQUIRED, _F.TYPE_STRING)
    _field(tensor, "tensor_content", 3, _F.LABEL_REQUIRED, _F.TYPE_BYTES)
    map_tensor = proto.message_type.add(name="MapTensorProto")
    _field(map_tensor, "tensor", 1, _F.LABEL_REPEATED, _F.TYPE_MESSAGE, ".TensorProto")
    return proto


_POOL = descriptor_pool.DescriptorPool()
_FILE = _POOL.Add(_file_descriptor()) or _POOL.FindFileByName("checkpoint.proto")


def _message_class(full_name):
    descriptor = _POOL.FindMessageTypeByName(full_name)
    get_class = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.21; MessageFactory before
    return get_class(descriptor) if get_class else message_factory.MessageFactory(_POOL).GetPrototype(descriptor)


Checkpoint = _message_class("Checkpoint")
TensorProto = _message_class("TensorProto")
