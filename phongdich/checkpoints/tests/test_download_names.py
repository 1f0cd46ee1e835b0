"""The traveller's QR download: the format comes from the URL, so it must not reach the
Content-Disposition header unchecked."""

from . import builders


def test_it_downloads_the_qr_as_png_and_svg(client, world):
    _declaration, raw = builders.declaration(world.commune_a)
    for fmt, content_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        response = client.get(f"/checkpoints/me/{raw}/qr.{fmt}")
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_any_other_format_is_not_found(client, world):
    _declaration, raw = builders.declaration(world.commune_a)
    for fmt in ("gif", "png%0D%0ASet-Cookie:%20a=1", 'png"', "sv%00g"):
        response = client.get(f"/checkpoints/me/{raw}/qr.{fmt}")
        assert response.status_code in (400, 404), (fmt, response.status_code)
        assert not response.has_header("Content-Disposition")
