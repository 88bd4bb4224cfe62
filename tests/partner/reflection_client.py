#!/usr/bin/python3
"""The gRPC half of the partner test: a client that knows nothing of maillage but the gateway's
address and a key. It learns the contract from the gateway's server reflection
(grpc.reflection.v1alpha, compiled here from Debian's grpc-proto reflection.proto with Debian's
protoc), builds the message classes from the file descriptors it receives, and runs the
partner scenario: actors of one category, the change feed to caught_up, a GeoJSON export.

    /usr/bin/python3 reflection_client.py <gateway gRPC address> <API key> <work folder>

Uses Debian's python3-grpcio and python3-protobuf only (/usr/bin/python3). Exit 0 on success.
"""
import importlib.util
import json
import os
import subprocess
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

REFLECTION_PROTO = "grpc/reflection/v1alpha/reflection.proto"
METHOD = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
DIRECTORY = "maillage.directory.v1.DirectoryService"
CATEGORY = "iae"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def reflection_module(work):
    """reflection_pb2, generated from the published reflection.proto."""
    out = os.path.join(work, "reflection_py")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["protoc", "--proto_path=/usr/share/grpc-proto", f"--python_out={out}",
                    REFLECTION_PROTO], check=True)
    # Loaded from its file: its package path would clash with grpcio's own "grpc" package.
    spec = importlib.util.spec_from_file_location(
        "reflection_pb2", os.path.join(out, REFLECTION_PROTO.replace(".proto", "_pb2.py")))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    address, key, work = sys.argv[1:4]
    reflection_pb2 = reflection_module(work)
    channel = grpc.insecure_channel(address)
    grpc.channel_ready_future(channel).result(timeout=10)
    info = channel.stream_stream(
        METHOD, request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)

    # Reflection needs no key.
    requests = [reflection_pb2.ServerReflectionRequest(list_services="")]
    services = [s.name for r in info(iter(requests), timeout=10)
                for s in r.list_services_response.service]
    public = [s for s in services if s.startswith("maillage.")]
    print(f"reflection lists {len(services)} services: {', '.join(sorted(public))}")
    for needed in (DIRECTORY, "maillage.meetings.v1.MeetingsService",
                   "maillage.budget.v1.BudgetService", "grpc.health.v1.Health"):
        if needed not in services:
            fail(f"{needed} is not listed")

    # Every public service's file, with its imports, into a pool of our own.
    requests = [reflection_pb2.ServerReflectionRequest(file_containing_symbol=s) for s in public]
    pool = descriptor_pool.DescriptorPool()
    added = {}  # file name → FileDescriptorProto, with its source info (the comments)
    commented = 0
    for response in info(iter(requests), timeout=30):
        if response.HasField("error_response"):
            fail(f"reflection error: {response.error_response}")
        for raw in response.file_descriptor_response.file_descriptor_proto:
            file = descriptor_pb2.FileDescriptorProto.FromString(raw)
            if file.name in added:
                continue
            pool.Add(file)
            added[file.name] = file
            commented += len(file.source_code_info.location) > 0
    print(f"reflection resolved {len(added)} files ({commented} with their comments)")
    service = pool.FindServiceByName(DIRECTORY)
    service_index = service.file.services_by_name[service.name].index
    method_path = [6, service_index, 2, service.methods_by_name["ListActors"].index]
    comment = next((loc.leading_comments for loc in added[service.file.name].source_code_info.location
                    if list(loc.path) == method_path), "")
    if "Lists actors" not in comment:
        fail(f"ListActors came without its comment: {comment!r}")
    factory = message_factory.MessageFactory(pool)

    def method(name, streaming=False):
        desc = service.methods_by_name[name]
        request = factory.GetPrototype(desc.input_type)
        response = factory.GetPrototype(desc.output_type)
        path = f"/{DIRECTORY}/{name}"
        make = channel.unary_stream if streaming else channel.unary_unary
        return request, make(path, request_serializer=request.SerializeToString,
                             response_deserializer=response.FromString)

    metadata = [("authorization", f"Bearer {key}")]

    # 1. The actors of one category, every page.
    ListActorsRequest, list_actors = method("ListActors")
    names, token, pages, placed = [], "", 0, 0
    while True:
        page = list_actors(ListActorsRequest(filter=f'network_category: "{CATEGORY}"', page_size=5,
                                             page_token=token), metadata=metadata, timeout=10)
        for actor in page.actors:
            if CATEGORY not in actor.network_categories:
                fail(f"{actor.name} is not in {CATEGORY}")
            names.append(actor.name)
            placed += actor.HasField("coordinates")
        pages += 1
        token = page.next_page_token
        if not token:
            break
        if pages > 100:
            fail("more than 100 pages")
    if not names:
        fail(f"no actor in category {CATEGORY}")
    print(f"actors in category {CATEGORY}: {len(names)} ({pages} pages of 5), "
          f"{placed} with coordinates")

    # 2. The change feed to caught_up.
    ListChangesRequest, list_changes = method("ListChanges")
    since, changes, calls = "", 0, 0
    while True:
        page = list_changes(ListChangesRequest(since=since, page_size=50), metadata=metadata,
                            timeout=10)
        changes += len(page.changes)
        since = page.next_cursor
        calls += 1
        if page.caught_up:
            break
        if calls > 1000:
            fail("the change feed never caught up")
    if changes == 0:
        fail("the change feed is empty")
    print(f"change feed: {changes} changes followed to caught_up in {calls} calls")

    # 3. GeoJSON export, a server stream of google.api.HttpBody chunks.
    ExportActorsRequest, export_actors = method("ExportActors", streaming=True)
    geojson_format = ExportActorsRequest.DESCRIPTOR.fields_by_name["format"].enum_type \
        .values_by_name["EXPORT_FORMAT_GEOJSON"].number
    chunks = export_actors(ExportActorsRequest(format=geojson_format,
                                               filter=f'network_category: "{CATEGORY}"'),
                           metadata=metadata, timeout=30)
    body, content_type = b"", ""
    for chunk in chunks:
        body += chunk.data
        content_type = content_type or chunk.content_type
    collection = json.loads(body)
    if (collection.get("type") != "FeatureCollection" or placed == 0
            or len(collection["features"]) != placed
            or any(f["geometry"]["type"] != "Point" for f in collection["features"])):
        fail(f"export: {body[:200]!r}")
    print(f"geojson: {len(collection['features'])} features, content type {content_type}")

    # 4. Without a key, the same call is refused.
    try:
        list_actors(ListActorsRequest(), timeout=10)
        fail("ListActors without a key was answered")
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.UNAUTHENTICATED:
            fail(f"without a key: {error.code()}")
        print(f"without a key: {error.code().name}")
    # 5. A bad filter: INVALID_ARGUMENT whose google.rpc.Status details (grpc-status-details-bin)
    # carry a French LocalizedMessage beside the English message. The detail is read by hand:
    # Status {code=1, message=2, details=3 (Any {type_url=1, value=2})}, LocalizedMessage
    # {locale=1, message=2}, with protobuf's well-known Any and a message class made here.
    try:
        list_actors(ListActorsRequest(filter="no_such_field = 1"), metadata=metadata, timeout=10)
        fail("a bad filter was answered")
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            fail(f"a bad filter: {error.code()}")
        details = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
        french = localized_messages(details or b"")
        if not any(locale == "fr-FR" for locale, _ in french):
            fail(f"a bad filter: no French message in {details!r}")
        print(f"a bad filter: {error.code().name} \"{error.details()}\" / fr-FR \"{french[0][1]}\"")
    print("OK: partner scenario over gRPC, from reflection alone")


def localized_messages(status_bytes):
    """(locale, message) of each google.rpc.LocalizedMessage in a serialized google.rpc.Status."""
    pool = descriptor_pool.DescriptorPool()
    any_file = descriptor_pb2.FileDescriptorProto(name="any.proto", package="p", syntax="proto3")
    any_type = any_file.message_type.add(name="Any")
    any_type.field.add(name="type_url", number=1, type=9, label=1)
    any_type.field.add(name="value", number=2, type=12, label=1)
    status = any_file.message_type.add(name="Status")
    status.field.add(name="code", number=1, type=5, label=1)
    status.field.add(name="message", number=2, type=9, label=1)
    status.field.add(name="details", number=3, type=11, label=3, type_name=".p.Any")
    localized = any_file.message_type.add(name="LocalizedMessage")
    localized.field.add(name="locale", number=1, type=9, label=1)
    localized.field.add(name="message", number=2, type=9, label=1)
    pool.Add(any_file)
    factory = message_factory.MessageFactory(pool)
    Status = factory.GetPrototype(pool.FindMessageTypeByName("p.Status"))
    Localized = factory.GetPrototype(pool.FindMessageTypeByName("p.LocalizedMessage"))
    found = []
    for detail in Status.FromString(status_bytes).details:
        if detail.type_url.endswith("/google.rpc.LocalizedMessage"):
            message = Localized.FromString(detail.value)
            found.append((message.locale, message.message))
    return found


if __name__ == "__main__":
    main()
