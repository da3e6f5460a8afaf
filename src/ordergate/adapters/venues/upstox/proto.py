"""Market Data Feed V3's protobuf schema, declared here field by field (the fields we read, same numbers).

Package ``com.upstox.marketdatafeederv3udapi.rpc.proto``. Fields this file leaves out (greeks, auction
fields, ...) are skipped by the decoder as unknown, so newer server versions still decode. It lives in a
private descriptor pool so that it never clashes with another copy of the schema in the same process.
"""

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "com.upstox.marketdatafeederv3udapi.rpc.proto"
F = descriptor_pb2.FieldDescriptorProto
DOUBLE, INT64, STRING, MESSAGE, ENUM = F.TYPE_DOUBLE, F.TYPE_INT64, F.TYPE_STRING, F.TYPE_MESSAGE, F.TYPE_ENUM
REPEATED = F.LABEL_REPEATED

# message -> [(name, number, type, type name or None, repeated, oneof index or None)]
MESSAGES: dict[str, list[tuple[str, int, int, str | None, bool, int | None]]] = {
    "LTPC": [("ltp", 1, DOUBLE, None, False, None), ("ltt", 2, INT64, None, False, None),
             ("ltq", 3, INT64, None, False, None), ("cp", 4, DOUBLE, None, False, None)],
    "Quote": [("bidQ", 1, INT64, None, False, None), ("bidP", 2, DOUBLE, None, False, None),
              ("askQ", 3, INT64, None, False, None), ("askP", 4, DOUBLE, None, False, None)],
    "MarketLevel": [("bidAskQuote", 1, MESSAGE, "Quote", True, None)],
    "OHLC": [("interval", 1, STRING, None, False, None), ("open", 2, DOUBLE, None, False, None),
             ("high", 3, DOUBLE, None, False, None), ("low", 4, DOUBLE, None, False, None),
             ("close", 5, DOUBLE, None, False, None), ("vol", 6, INT64, None, False, None),
             ("ts", 7, INT64, None, False, None)],
    "MarketOHLC": [("ohlc", 1, MESSAGE, "OHLC", True, None)],
    "MarketFullFeed": [("ltpc", 1, MESSAGE, "LTPC", False, None),
                       ("marketLevel", 2, MESSAGE, "MarketLevel", False, None),
                       ("marketOHLC", 4, MESSAGE, "MarketOHLC", False, None), ("atp", 5, DOUBLE, None, False, None),
                       ("vtt", 6, INT64, None, False, None), ("tbq", 9, DOUBLE, None, False, None),
                       ("tsq", 10, DOUBLE, None, False, None)],
    "IndexFullFeed": [("ltpc", 1, MESSAGE, "LTPC", False, None),
                      ("marketOHLC", 2, MESSAGE, "MarketOHLC", False, None)],
    "FullFeed": [("marketFF", 1, MESSAGE, "MarketFullFeed", False, 0),
                 ("indexFF", 2, MESSAGE, "IndexFullFeed", False, 0)],
    "FirstLevelWithGreeks": [("ltpc", 1, MESSAGE, "LTPC", False, None),
                             ("firstDepth", 2, MESSAGE, "Quote", False, None), ("vtt", 4, INT64, None, False, None)],
    "Feed": [("ltpc", 1, MESSAGE, "LTPC", False, 0), ("fullFeed", 2, MESSAGE, "FullFeed", False, 0),
             ("firstLevelWithGreeks", 3, MESSAGE, "FirstLevelWithGreeks", False, 0),
             ("requestMode", 4, ENUM, "RequestMode", False, None)],
    "MarketInfo": [("segmentStatus", 1, MESSAGE, "MarketInfo.SegmentStatusEntry", True, None)],
    "FeedResponse": [("type", 1, ENUM, "Type", False, None),
                     ("feeds", 2, MESSAGE, "FeedResponse.FeedsEntry", True, None),
                     ("currentTs", 3, INT64, None, False, None), ("marketInfo", 4, MESSAGE, "MarketInfo", False, None)],
}
ONEOFS = {"FullFeed": "FullFeedUnion", "Feed": "FeedUnion"}
MAPS = {"MarketInfo": ("SegmentStatusEntry", ENUM, "MarketStatus"), "FeedResponse": ("FeedsEntry", MESSAGE, "Feed")}
ENUMS = {
    "Type": ["initial_feed", "live_feed", "market_info"],
    "RequestMode": ["ltpc", "full_d5", "option_greeks", "full_d30"],
    "MarketStatus": ["PRE_OPEN_START", "PRE_OPEN_END", "NORMAL_OPEN", "NORMAL_CLOSE", "CLOSING_START", "CLOSING_END"],
}


def _field(message: Any, name: str, number: int, kind: int, type_name: str | None, repeated: bool,
           oneof: int | None) -> None:
    field = message.field.add(name=name, number=number, type=kind, label=REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name is not None:
        field.type_name = f".{PACKAGE}.{type_name}"
    if oneof is not None:
        field.oneof_index = oneof


def _file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name="ordergate_upstox_feed_v3.proto", package=PACKAGE,
                                               syntax="proto3")
    for name, values in ENUMS.items():
        proto.enum_type.add(name=name, value=[descriptor_pb2.EnumValueDescriptorProto(name=v, number=i)
                                              for i, v in enumerate(values)])
    for name, fields in MESSAGES.items():
        message = proto.message_type.add(name=name)
        if name in ONEOFS:
            message.oneof_decl.add(name=ONEOFS[name])
        if name in MAPS:
            entry, kind, value_type = MAPS[name]
            nested = message.nested_type.add(name=entry)
            nested.options.map_entry = True
            _field(nested, "key", 1, STRING, None, False, None)
            _field(nested, "value", 2, kind, value_type, False, None)
        for spec in fields:
            _field(message, *spec)
    return proto


def _classes() -> dict[str, Any]:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file())
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))
            for name in ("FeedResponse",)}


FeedResponse: Any = _classes()["FeedResponse"]
