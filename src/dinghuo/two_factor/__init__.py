"""Two-step sign-in: a code from an authenticator app (TOTP), a passkey (WebAuthn) or a
one-time recovery code after the password, and each tenant's rule on who must use it
(docs/two-factor.md)."""
