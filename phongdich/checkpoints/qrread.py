"""Read a QR code from a photo on the server, for browsers without BarcodeDetector."""

import io

from PIL import Image, UnidentifiedImageError


def decode_image(content: bytes) -> str:
    """The text of the first QR code in the image, or "" when none can be read."""
    import zxingcpp

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        return ""
    image = image.convert("L")
    # Phone photos are large; zxing reads a QR comfortably at ~1600 px on the long side.
    image.thumbnail((1600, 1600))
    for result in zxingcpp.read_barcodes(image):
        if result.text:
            return result.text
    return ""
