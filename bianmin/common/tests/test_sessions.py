"""Signed-in sessions end after BIANMIN_SESSION_IDLE_MINUTES without a request (common/sessions.py)."""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from bianmin.common.sessions import RENEWED_KEY


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_idle_session_expires_and_activity_renews_it(county):
    assert settings.BIANMIN_SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    client.force_login(county.t1_staff.user)
    key = client.session.session_key

    # A request after the last renewal's minute renews the session for the full idle time.
    session = client.session
    session[RENEWED_KEY] = 0
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=2)
    )
    assert client.get("/staff/").status_code == 200
    left = _expiry(client) - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)

    # Idle past the limit: signed out.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    r = client.get("/staff/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/accounts/login/")
