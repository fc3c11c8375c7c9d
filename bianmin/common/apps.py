from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "bianmin.common"
    label = "common"
