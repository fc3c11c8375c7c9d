from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "bianmin.common"
    label = "common"

    def ready(self) -> None:
        from PIL import Image

        from .uploads import MAX_IMAGE_PIXELS

        # Pillow warns above this and refuses at twice it; its default lets about 179 million
        # pixels decode, in any code that opens an image (WeasyPrint included).
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
