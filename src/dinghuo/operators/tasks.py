"""Mail the operators' pages send, in the worker (`dinghuo worker` runs queued tasks)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_signup_verification(address: str, link: str, seller_name: str, language: str) -> None:
    """The e-mail with the link that creates the seller's account, in the language the
    person signed up in, as plain text and HTML."""
    context = {"link": link, "seller_name": seller_name}
    with translation.override(language):
        subject = render_to_string("operators/mail/verify_subject.txt", context).strip()
        text = render_to_string("operators/mail/verify.txt", context)
        html = render_to_string("operators/mail/verify.html", context)
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    mail.attach_alternative(html, "text/html")
    mail.send()
