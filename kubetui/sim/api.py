"""The REST API of the built-in cluster: request routing, errors as Status objects, get and list."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubetui.sim import api_stream, crds, discovery, discovery_v2, errors, metrics, tables
from kubetui.sim.codec import Codec
from kubetui.sim.resources import ResourceType, lookup
from kubetui.sim.selectors import make_filter

if TYPE_CHECKING:
    from kubetui.sim.server import SimServer
    from kubetui.sim.store import ObjectStore

log = logging.getLogger(__name__)

Obj = dict[str, Any]
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Target:
    """What a resource path names: a type, a namespace (None = all / cluster-scoped), a name, a subresource."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    sub: str
    legacy_watch: bool = False


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type=JSON)


def error_response(err: errors.ApiError) -> web.Response:
    return json_response(err.status(), err.code)


def not_found_path() -> errors.ApiError:
    return errors.ApiError(404, "NotFound", "the server could not find the requested resource", generic=True)


def parse_target(parts: list[str], find: Callable[[str, str], ResourceType | None] = lookup) -> Target | None:
    """Parses ``/api/v1/...`` or ``/apis/{g}/v1/...`` path segments into a Target (None if not a resource)."""
    if parts[0] == "api" and len(parts) >= 3:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis" and len(parts) >= 4:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    legacy_watch = False
    if rest[0] == "watch":
        legacy_watch, rest = True, rest[1:]
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = find(group, rest[2])
        if inner is not None:
            if not inner.namespaced:
                return None
            namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    rt = find(group, rest[0])
    if rt is None or rt.version != version:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else ""
    if name is not None and rt.namespaced and namespace is None:
        return None
    if sub and sub not in rt.subresources:
        return None
    if not name and not rt.namespaced and namespace is not None:
        return None
    return Target(rt, namespace, name, sub, legacy_watch)


def wants_table(request: web.Request) -> bool:
    return "as=Table" in request.headers.get("Accept", "")


def encode_continue(rv: int, ns: str, name: str) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": f"{ns}/{name}\x00"})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        ns, name = data["start"].rstrip("\x00").split("/", 1)
        return int(data["rv"]), (ns, name)
    except Exception as exc:
        raise errors.bad_request(f"continue key is not valid: {exc}") from None


class Api:
    """Routes every request; the write, watch and log halves live in their own modules."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self._codec: Codec | None = None

    @property
    def store(self) -> ObjectStore:
        return self.server.store

    @property
    def codec(self) -> Codec:
        if self._codec is None or self._codec.store is not self.store:
            if self._codec is not None:
                self._codec.close()
            self._codec = Codec(self.store)
        return self._codec

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            response = await self._route(request)
            from kubetui.sim.api_write import WARNINGS

            warnings = request.get(WARNINGS)
            if warnings and not response.prepared:
                for text in warnings:
                    response.headers.add("Warning", '299 - "' + text.replace('"', '\\"') + '"')
            return response
        except errors.ApiError as err:
            return error_response(err)
        except (ConnectionResetError, web.HTTPException):
            raise
        except Exception as exc:  # a bug must still answer as Kubernetes would, not drop the connection
            log.exception("internal error serving %s %s", request.method, request.path)
            return error_response(errors.ApiError(500, "InternalError", f"Internal error occurred: {exc}"))

    async def _route(self, request: web.Request) -> web.StreamResponse:
        from kubetui.sim import api_auth

        api_auth.check_token(request, getattr(self.server, "token", None))
        path = request.path.rstrip("/") or "/"
        parts = [p for p in path.split("/") if p]
        answer = await api_auth.review(request)
        if answer is not None:
            return answer
        if parts[:2] == ["apis", metrics.GROUP]:
            return await metrics.handle(self, request, parts)
        stream = api_stream.route(parts)
        if stream is not None:
            return await api_stream.handle(self, request, *stream)
        if request.method == "GET":
            doc = self._discovery(request, path, parts)
            if doc is not None:
                return doc
        target = parse_target(parts, self.store.lookup) if parts else None
        if target is None:
            if path in ("/", "/healthz", "/livez", "/readyz"):
                return web.Response(text="ok")
            raise not_found_path()
        return await self._dispatch(request, target)

    def _discovery(self, request: web.Request, path: str, parts: list[str]) -> web.StreamResponse | None:
        doc: Any = None
        if path in ("/api", "/apis") and discovery_v2.wanted(request.headers.get("Accept", "")):
            listing = discovery_v2.group_list(core=path == "/api")
            if path == "/apis":
                listing["items"].append(
                    discovery_v2.from_resource_list(metrics.GROUP, metrics.resource_list())
                )
                for group in crds.add_groups({}, self.store).get("groups") or []:
                    versions = [
                        discovery_v2.version_from_resource_list(
                            crds.resource_list(self.store, group["name"], v["version"]) or {}
                        )
                        for v in group["versions"]
                    ]
                    listing["items"].append({"metadata": {"name": group["name"]}, "versions": versions})
            payload = orjson.dumps(listing)
            return web.Response(
                body=payload, headers={"Content-Type": discovery_v2.CONTENT_TYPE, "Vary": "Accept"}
            )
        if path == "/version":
            doc = discovery.version_info()
        elif path == "/api":
            doc = discovery.core_versions(f"{self.server.host}:{self.server.port}")
        elif path == "/apis":
            doc = crds.add_groups(metrics.with_group(discovery.api_group_list()), self.store)
        elif path == "/api/v1":
            doc = discovery.api_resource_list("", "v1")
        elif parts[0] == "apis" and len(parts) == 2:
            doc = (
                discovery.api_group(parts[1])
                or crds.group_doc(self.store, parts[1])
                or _raise(not_found_path())
            )
        elif parts[0] == "apis" and len(parts) == 3:
            doc = (
                discovery.api_resource_list(parts[1], parts[2])
                or crds.resource_list(self.store, parts[1], parts[2])
                or _raise(not_found_path())
            )
        elif path == "/openapi/v3":
            doc = discovery.openapi_v3_root()
        elif path.startswith("/openapi/v3/"):
            rest = parts[2:]
            group = (
                "" if rest == ["api", "v1"] else (rest[1] if len(rest) == 3 and rest[0] == "apis" else None)
            )
            body = discovery.openapi_v3_doc(group) if group is not None and rest[-1] == "v1" else None
            if body is None:
                raise not_found_path()
            return web.Response(body=body, content_type=JSON)
        elif path == "/openapi/v2":
            body, ctype = discovery.openapi_v2(request.headers.get("Accept", ""))
            return web.Response(body=body, headers={"Content-Type": ctype})
        return None if doc is None else json_response(doc)

    async def _dispatch(self, request: web.Request, t: Target) -> web.StreamResponse:
        from kubetui.sim import api_delete, api_logs, api_watch, api_write

        method = request.method
        q = request.query
        if method == "GET":
            if t.sub == "log":
                return await api_logs.pod_log(self, request, t)
            if t.name is None:
                if t.legacy_watch or q.get("watch") in ("1", "true", "True"):
                    return await api_watch.watch(self, request, t)
                return self.list(request, t)
            if t.sub == "scale":
                return json_response(
                    api_write.scale_of(self.store.must_get(t.rt.key, t.namespace or "", t.name), t)
                )
            return self.get(request, t)
        if t.legacy_watch:
            raise errors.method_not_allowed()
        if method == "POST" and t.name is None:
            return await api_write.create(self, request, t)
        if method == "POST" and t.sub == "binding":
            return await api_delete.bind(self, request, t)
        if method == "POST" and t.sub == "eviction":
            return await api_delete.evict(self, request, t)
        if method == "PUT" and t.name is not None and t.sub != "log":
            return await api_write.replace(self, request, t)
        if method == "PATCH" and t.name is not None and t.sub != "log":
            return await api_write.patch(self, request, t)
        if method == "DELETE" and t.name is not None and not t.sub:
            return await api_delete.handle_delete(self, request, t)
        if method == "DELETE" and t.name is None and "deletecollection" in t.rt.verbs:
            return await api_delete.delete_collection(self, request, t)
        raise errors.method_not_allowed()

    # -- reads ------------------------------------------------------------------------------------------

    def get(self, request: web.Request, t: Target) -> web.StreamResponse:
        assert t.name is not None
        obj = self.store.must_get(t.rt.key, t.namespace or "", t.name)
        if wants_table(request):
            tbl = tables.table(t.rt.key, [obj], request.query.get("includeObject"), self.store.clock(), t.rt)
            tbl["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return json_response(tbl)
        return web.Response(body=self.codec.encode(t.rt.key, obj), content_type=JSON)

    def list(self, request: web.Request, t: Target) -> web.StreamResponse:
        q = request.query
        store = self.store
        key = t.rt.key
        filt = make_filter(q.get("labelSelector"), q.get("fieldSelector"), key)
        list_rv = store.rv
        rv_param = q.get("resourceVersion", "")
        if rv_param and q.get("resourceVersionMatch") == "Exact":
            wanted = _parse_rv(rv_param)
            if wanted < store._compacted[key]:
                raise errors.expired(f"too old resource version: {wanted} ({store._compacted[key] + 1})")
        start: tuple[str, str] | None = None
        token = q.get("continue")
        if token:
            list_rv, start = decode_continue(token)
            if list_rv < store._compacted[key]:
                raise errors.expired(
                    "The provided continue parameter is too old to display a consistent list result. "
                    "You can start a new list without the continue parameter."
                )
        try:
            limit = int(q.get("limit") or 0)
        except ValueError:
            raise errors.bad_request(
                f'strconv.ParseInt: parsing "{q.get("limit")}": invalid syntax'
            ) from None
        page = self.codec.pager.page(
            key, t.namespace, rv=list_rv, after=start, limit=max(limit, 0), match=filt
        )
        if page is None:
            raise errors.expired(
                "The provided continue parameter is too old to display a consistent list result. "
                "You can start a new list without the continue parameter."
            )
        items = page.items
        meta: Obj = {"resourceVersion": str(list_rv)}
        if page.more:
            meta["continue"] = encode_continue(list_rv, *_okey(items[-1]))
            if page.remaining is not None:
                meta["remainingItemCount"] = page.remaining
        if wants_table(request):
            tbl = tables.table(key, items, q.get("includeObject"), store.clock(), t.rt)
            tbl["metadata"] = meta
            return json_response(tbl)
        body = self.codec.list_body(f"{t.rt.kind}List", t.rt.api_version, meta, items, key)
        return web.Response(body=body, content_type=JSON)


def _okey(obj: Obj) -> tuple[str, str]:
    meta = obj["metadata"]
    return (meta.get("namespace") or "", meta["name"])


def _parse_rv(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise errors.bad_request(f'invalid resource version: "{text}"') from None


def _raise(err: errors.ApiError) -> Any:
    raise err
