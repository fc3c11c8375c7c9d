from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "bianmin.common"
    label = "common"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from PIL import Image

        from .sessions import renewed_at_login
        from .uploads import MAX_IMAGE_PIXELS

        # Pillow warns above this and refuses at twice it; its default lets about 179 million
        # pixels decode, in any code that opens an image (WeasyPrint included).
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
        user_logged_in.connect(renewed_at_login, dispatch_uid="bianmin.common.sessions")
