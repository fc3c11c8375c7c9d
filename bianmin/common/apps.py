from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "bianmin.common"
    label = "common"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import renewed_at_login

        user_logged_in.connect(renewed_at_login, dispatch_uid="bianmin.common.sessions")
