"""Chinese names in the admin for third-party apps whose app names are not translatable
(listed in INSTALLED_APPS by these classes; their other strings are in locale/zh_Hans)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("登录安全")


class TasksConfig(TasksAppConfig):
    verbose_name = _("后台任务")
