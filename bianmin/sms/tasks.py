"""The send of one outbox message on Django's task framework (django-tasks-db backend).

`services.sms_enqueue` schedules it when the event's transaction commits; a `bianmin db_worker`
process runs it, and a failed send schedules itself again after its backoff.
"""

from django.tasks import task

from .services import sms_send


@task
def sms_send_task(message_id: int) -> str:
    message = sms_send(message_id=message_id)
    return message.status if message is not None else "not due"
