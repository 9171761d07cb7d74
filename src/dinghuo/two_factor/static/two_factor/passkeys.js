// Passkeys on the two-step page (add one) and at the second step of signing in (use one).
// The server makes the options and checks the answers (django-otp-webauthn); this script only
// carries them between the page and the browser's WebAuthn API. Messages come from the page,
// already translated. Without WebAuthn the controls stay hidden and the page says so.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (answer) {
      return answer.json().then(function (data) {
        if (!answer.ok) {
          var refused = new Error(data.detail || "");
          refused.fromServer = true;
          throw refused;
        }
        return data;
      });
    });
  }

  function say(box, text) {
    var status = box.querySelector("[data-passkey-status]");
    status.textContent = text;
    status.hidden = !text;
  }

  function failed(box, error) {
    // The browser's own errors (cancelled, timed out, offline) are not in the person's words:
    // the page's are; the server's answers are.
    var text = error && error.fromServer ? error.message : "";
    say(box, text || box.getAttribute("data-failed"));
  }

  function register(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = form.querySelector("input[name=name]").value.trim();
      var button = form.querySelector("button");
      if (!name) {
        say(form, form.getAttribute("data-name-needed"));
        return;
      }
      var csrf = form.getAttribute("data-csrf");
      button.disabled = true;
      say(form, "");
      post(form.getAttribute("data-options-url"), csrf)
        .then(function (options) {
          options.challenge = toBytes(options.challenge);
          options.user.id = toBytes(options.user.id);
          options.excludeCredentials = descriptors(options.excludeCredentials);
          return navigator.credentials.create({ publicKey: options });
        })
        .then(function (made) {
          var credential = {
            id: made.id,
            rawId: toText(made.rawId),
            type: made.type,
            authenticatorAttachment: made.authenticatorAttachment,
            clientExtensionResults: made.getClientExtensionResults(),
            response: {
              clientDataJSON: toText(made.response.clientDataJSON),
              attestationObject: toText(made.response.attestationObject),
              transports: made.response.getTransports ? made.response.getTransports() : [],
            },
          };
          return post(form.getAttribute("data-add-url"), csrf, { name: name, credential: credential });
        })
        .then(function () {
          window.location.reload();
        })
        .catch(function (error) {
          button.disabled = false;
          failed(form, error);
        });
    });
  }

  function signIn(box) {
    var button = box.querySelector("button");
    button.addEventListener("click", function () {
      var csrf = box.getAttribute("data-csrf");
      button.disabled = true;
      say(box, "");
      post(box.getAttribute("data-options-url"), csrf)
        .then(function (options) {
          options.challenge = toBytes(options.challenge);
          options.allowCredentials = descriptors(options.allowCredentials);
          return navigator.credentials.get({ publicKey: options });
        })
        .then(function (used) {
          var credential = {
            id: used.id,
            rawId: toText(used.rawId),
            type: used.type,
            authenticatorAttachment: used.authenticatorAttachment,
            clientExtensionResults: used.getClientExtensionResults(),
            response: {
              clientDataJSON: toText(used.response.clientDataJSON),
              authenticatorData: toText(used.response.authenticatorData),
              signature: toText(used.response.signature),
              userHandle: toText(used.response.userHandle),
            },
          };
          return post(box.getAttribute("data-url"), csrf, { credential: credential });
        })
        .then(function (done) {
          window.location.assign(done.next);
        })
        .catch(function (error) {
          button.disabled = false;
          failed(box, error);
        });
    });
  }

  var supported = typeof window.PublicKeyCredential === "function";
  document.querySelectorAll("[data-passkey-register], [data-passkey-sign-in]").forEach(function (box) {
    box.hidden = !supported;
    if (supported && box.hasAttribute("data-passkey-register")) {
      register(box);
    } else if (supported) {
      signIn(box);
    }
  });
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
    note.hidden = supported;
  });
})();
