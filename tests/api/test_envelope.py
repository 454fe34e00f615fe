"""Every reply carries the envelope and a request id; unknown routes and methods map to Kling codes."""

from __future__ import annotations

from tests.api.server import Server


def test_success_envelope_has_request_id_in_body_and_header(server: Server) -> None:
    with server.client() as c:
        r = c.get("/kling/v1/videos/image2video", params={"pageNum": 1, "pageSize": 5})
    body = r.json()
    assert r.status_code == 200
    assert body["code"] == 0 and body["message"] == "SUCCEED"
    assert isinstance(body["data"], list)
    assert body["request_id"] and r.headers["x-request-id"] == body["request_id"]


def test_both_prefixes_serve_the_same_routes(server: Server) -> None:
    with server.client() as c:
        for prefix in ("/kling/v1", "/v1"):
            r = c.get(f"{prefix}/audio/video-to-audio")
            assert r.status_code == 200 and r.json()["code"] == 0


def test_unknown_task_is_1203_with_404(server: Server) -> None:
    with server.client() as c:
        r = c.get("/kling/v1/videos/avatar/image2video/123456789")
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == 1203 and "123456789" in body["message"] and body["request_id"]
    assert "data" not in body


def test_unknown_path_and_method_get_envelopes(server: Server) -> None:
    with server.client() as c:
        r = c.get("/kling/v1/no/such/thing")
        assert r.status_code == 404 and r.json()["code"] == 1203
        r = c.delete("/kling/v1/videos/image2video")
        assert r.json()["code"] == 1202


def test_malformed_json_is_1200(server: Server) -> None:
    with server.client() as c:
        r = c.post(
            "/kling/v1/videos/image2video", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert r.status_code == 400 and r.json()["code"] == 1200


def test_rule_violation_is_1201_and_names_the_field(server: Server) -> None:
    with server.client() as c:
        r = c.post("/kling/v1/videos/image2video", json={"image": "aGVsbG8=", "cfg_scale": 3})
    body = r.json()
    assert r.status_code == 400 and body["code"] == 1201
    assert "cfg_scale" in body["message"]


def test_page_bounds(server: Server) -> None:
    with server.client() as c:
        assert c.get("/kling/v1/videos/image2video", params={"pageSize": 500}).json()["code"] == 0
        r = c.get("/kling/v1/videos/image2video", params={"pageSize": 501})
        assert r.status_code == 400 and "pageSize" in r.json()["message"]
        r = c.get("/kling/v1/videos/image2video", params={"pageNum": 0})
        assert r.status_code == 400 and "pageNum" in r.json()["message"]


def test_openapi_and_docs_are_served(server: Server) -> None:
    with server.client() as c:
        spec = c.get("/openapi.json").json()
        assert "/kling/v1/videos/avatar/image2video" in spec["paths"]
        assert "AvatarCreate" in spec["components"]["schemas"]
        assert c.get("/docs").status_code == 200
