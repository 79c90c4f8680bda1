// The correction editor: every button posts one JSON action with this page's token and the
// versions of the links it shows; the server refuses a stale one (409) and nothing is lost.
// Text from the server is only ever set with textContent.
"use strict";
(function () {
  const token = document.querySelector('meta[name="align-token"]').content;
  const pair = document.body.dataset.pair;
  const status = document.getElementById("status");

  function say(message, bad) {
    status.textContent = message;
    status.className = bad ? "bad" : "good";
  }

  function seen(row) {
    return [Number(row.dataset.id), Number(row.dataset.v)];
  }

  async function send(request) {
    say("saving…", false);
    let response, answer;
    try {
      response = await fetch("/api/pair/" + pair, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Align-Token": token },
        body: JSON.stringify(request),
      });
      answer = await response.json();
    } catch (error) {
      say("not saved: the server did not answer (" + error + ")", true);
      return;
    }
    if (!response.ok) {
      say("not saved: " + (answer.error || response.status), true);
      return;
    }
    sessionStorage.setItem("align-scroll", String(window.scrollY));
    sessionStorage.setItem("align-said", (request.decision || request.action) + " saved");
    window.location.reload();
  }

  function request(button) {
    const act = button.dataset.act;
    const row = button.closest("tr");
    const next = row && row.nextElementSibling;
    if (act === "realign" || act === "undo") {
      return { action: act, edit: button.dataset.edit ? Number(button.dataset.edit) : undefined };
    }
    if (act === "flag") {
      const item = button.closest("[data-kind]");
      const note = item.querySelector("input.note");
      return { action: "flag", link: Number(item.dataset.link), kind: item.dataset.kind,
               decision: button.dataset.decision, note: note ? note.value : "" };
    }
    if (act === "merge") return { action: act, links: [seen(row), seen(next)] };
    if (act === "move") {
      return { action: act, links: [seen(row), seen(next)], side: button.dataset.side,
               direction: button.dataset.direction };
    }
    if (act === "split") {
      return { action: act, links: [seen(row)], src_at: Number(row.querySelector(".src-at").value),
               tgt_at: Number(row.querySelector(".tgt-at").value) };
    }
    if (act === "relink") {
      const area = row.querySelector("textarea.relink");
      const links = area.dataset.count === "2" ? [seen(row), seen(next)] : [seen(row)];
      return { action: act, links: links, text: area.value };
    }
    return { action: act, links: [seen(row)] };  // confirm, unconfirm, unlink
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-act]");
    if (!button || !pair) return;
    event.preventDefault();
    send(request(button));
  });

  const scroll = sessionStorage.getItem("align-scroll");
  const said = sessionStorage.getItem("align-said");
  sessionStorage.removeItem("align-scroll");
  sessionStorage.removeItem("align-said");
  if (scroll !== null) window.scrollTo(0, Number(scroll));
  if (said) say(said, false);
})();
