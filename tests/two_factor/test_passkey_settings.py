"""Where passkeys belong: the relying party and the origins come from the settings
DINGHUO_WEBAUTHN_RP_ID and DINGHUO_WEBAUTHN_ORIGINS, else from the request's own host."""

from django.test import RequestFactory

from dinghuo.two_factor import passkeys


def _request(host: str, *, secure: bool = False):
    return RequestFactory().get("/", HTTP_HOST=host, secure=secure)


def test_without_settings_the_request_host_is_the_relying_party(settings):
    settings.ALLOWED_HOSTS = ["shop.example"]
    settings.DINGHUO_WEBAUTHN_RP_ID = ""
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = []
    request = _request("shop.example:8000")
    assert passkeys.relying_party_id(request) == "shop.example"
    assert passkeys.helper(request).get_allowed_origins() == ["http://shop.example:8000"]
    secure = _request("shop.example", secure=True)
    assert passkeys.helper(secure).get_allowed_origins() == ["https://shop.example"]


def test_the_settings_name_the_relying_party_and_its_origins(settings):
    settings.ALLOWED_HOSTS = ["staff.shop.example", "shop.example"]
    settings.DINGHUO_WEBAUTHN_RP_ID = "shop.example"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["https://shop.example", "https://staff.shop.example"]
    request = _request("staff.shop.example", secure=True)
    assert passkeys.relying_party_id(request) == "shop.example"
    helper = passkeys.helper(request)
    assert helper.get_relying_party_domain() == "shop.example"
    assert helper.get_allowed_origins() == ["https://shop.example", "https://staff.shop.example"]
