// Sends the PunchOut cart back at once: submits the page's form to the purchasing system.
// Without JavaScript the buyer presses the form's button instead.
(function () {
  var form = document.getElementById("punchout-transfer-form");
  if (form) {
    form.submit();
  }
})();
