"""Static files come from memory with the browser's cache validators; nothing outside the static folder is served."""

from __future__ import annotations


def test_a_static_file_is_served_and_revalidated(client):
    first = client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js")
    assert first.status_code == 200 and first.mimetype == "text/javascript" and b"bootstrap" in first.data.lower()
    again = client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_nothing_outside_the_static_folder_is_served(client):
    for path in ("/static/../config.py", "/static/%2e%2e/config.py", "/static/nothing.js", "/static/css",
                 "/static/app%00.css", "/static/" + "a" * 5000 + ".js"):
        assert 400 <= client.get(path).status_code < 500, path


def test_the_icon_comes_from_the_static_folder_kept_a_day(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    assert icon.cache_control.max_age == 86400 and icon.cache_control.public


def test_a_file_changed_on_disk_is_served_as_changed(app, client, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "note.css").write_text("a{}", encoding="utf-8")
    assert client.get("/static/note.css").data == b"a{}"
    (tmp_path / "note.css").write_text("a{color:red}", encoding="utf-8")
    assert client.get("/static/note.css").data == b"a{color:red}"
