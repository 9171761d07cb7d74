"""Telling a subscription's owner that its deliveries were paused."""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from dinghuo.integrations.models import WebhookSubscription
from dinghuo.integrations.retry_rules import RETRY_FOR

log = logging.getLogger("dinghuo.webhooks")


def tell_owner_of_pause(subscription_id: int) -> bool:
    """Mail the subscription's contact (if it has one) that sending stopped and how to resume;
    a mail server that fails is logged, the pause stands."""
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None or not subscription.contact_email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook deliveries paused")
        body = _(
            "Dinghuo could not deliver events to %(url)s for %(days)s days, so it stopped "
            "sending to this address. Nothing is lost: the events wait. When the receiver "
            "works again, resume the subscription in the back office (Webhooks in the staff "
            "menu) or with POST /api/v1/webhooks/%(id)s/resume, and every waiting event is sent."
        ) % {"url": subscription.url, "days": RETRY_FOR.days, "id": subscription.pk}
    try:
        send_mail(subject, body, None, [subscription.contact_email])
    except (SMTPException, OSError):
        log.exception(
            "could not tell %s that webhook %s paused", subscription.contact_email, subscription.pk
        )
        return False
    return True
