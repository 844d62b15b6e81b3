// The driver page's queue: every action is kept on the phone (IndexedDB) before it is sent,
// and sent again until the server has answered it, so a dead spot loses nothing. Each action
// has its own idempotency key, made when the button is pressed: a resend is a duplicate on the
// server, never a second delivery.
"use strict";
(function () {
  const csrf = document.getElementById("driver").dataset.csrf;
  const queueNote = document.getElementById("queue");
  let sending = false;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("ordertrail-driver", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("actions", { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("actions", mode);
      const result = work(tx.objectStore("actions"));
      tx.oncomplete = () => resolve(result.result === undefined ? result : result.result);
      tx.onerror = () => reject(tx.error);
    });
  }

  const queued = () => withStore("readonly", (store) => store.getAll())
    .then((all) => all.sort((a, b) => a.made - b.made));
  const keep = (action) => withStore("readwrite", (store) => store.put(action));
  const forget = (key) => withStore("readwrite", (store) => store.delete(key));

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function position() {
    // A delivery takes the phone's position when it has one; never waits long for it.
    if (!navigator.geolocation) return Promise.resolve(null);
    return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
      (found) => resolve(found.coords),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
    ));
  }

  async function note() {
    const waiting = (await queued()).length;
    queueNote.textContent = waiting ? `${waiting} waiting to send` : "All sent";
    queueNote.classList.toggle("waiting", waiting > 0);
  }

  function stopElement(action) {
    return document.getElementById(`stop-${action.route}-${action.stop}`);
  }

  function showState(action, words, refused) {
    const element = action.stop ? stopElement(action) : null;
    if (!element) return;
    const state = element.querySelector(".state");
    state.textContent = words;
    state.classList.toggle("refused", !!refused);
    if (!refused && (action.action === "delivered" || action.action === "attempted")) {
      element.classList.add("done");
      element.querySelectorAll(".buttons, form").forEach((part) => { part.hidden = true; });
    }
  }

  function formOf(action) {
    const form = new FormData();
    for (const [name, value] of Object.entries(action.fields)) {
      if (value !== null && value !== undefined && value !== "") form.append(name, value);
    }
    if (action.photo) form.append("photo", action.photo, "photo");
    if (action.signature) form.append("signature", action.signature, "signature.png");
    return form;
  }

  async function send() {
    if (sending) return;
    sending = true;
    try {
      for (const action of await queued()) {
        let answer;
        try {
          answer = await fetch("/driver/actions", {
            method: "POST", body: formOf(action), headers: { "X-Driver-CSRF": csrf },
            credentials: "same-origin",
          });
        } catch (offline) {
          break; // no connection: everything stays queued, in order, for the next chance
        }
        if (answer.status === 401 || answer.status >= 500 || answer.status === 429) break;
        await forget(action.key);
        if (answer.ok) {
          showState(action, action.sentWords, false);
        } else {
          const problem = await answer.json().catch(() => ({ detail: answer.statusText }));
          showState(action, `Not recorded: ${problem.detail}`, true);
        }
      }
    } finally {
      sending = false;
      await note();
    }
  }

  async function queue(action) {
    await keep(action);
    showState(action, action.waitWords, false);
    await note();
    await send();
  }

  function base(element, actionName) {
    const key = newKey();
    return {
      key, made: Date.now(), action: actionName,
      route: element.dataset.route, stop: element.dataset.stop || null,
      fields: {
        key, action: actionName, route: element.dataset.route,
        stop: element.dataset.stop || "", occurred_at: new Date().toISOString(),
      },
      waitWords: "Saved on the phone, sending…", sentWords: "Sent",
    };
  }

  function signaturePad(canvas) {
    const pen = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    const at = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
        (event.clientY - box.top) * canvas.height / box.height];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true; pen.beginPath(); pen.moveTo(...at(event)); canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      pen.lineTo(...at(event)); pen.stroke(); drawn = true;
    });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    return {
      clear() { pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; },
      image() {
        return drawn ? new Promise((resolve) => canvas.toBlob(resolve, "image/png")) : Promise.resolve(null);
      },
    };
  }

  document.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", async () => {
      const element = button.dataset.route && !button.closest(".stop") ? button : button.closest(".stop");
      const action = base(element, button.dataset.action);
      if (action.action === "arrived") action.sentWords = "Arrived";
      if (action.action === "started") button.hidden = true;
      await queue(action);
    });
  });

  document.querySelectorAll(".stop").forEach((element) => {
    const pad = element.querySelector("canvas.signature") && signaturePad(element.querySelector("canvas.signature"));
    element.querySelectorAll("[data-open]").forEach((button) => button.addEventListener("click", () => {
      element.querySelectorAll("form").forEach((form) => {
        form.hidden = !form.classList.contains(button.dataset.open);
      });
    }));
    const clear = element.querySelector("[data-clear]");
    if (clear) clear.addEventListener("click", () => pad.clear());
    const deliver = element.querySelector("form.deliver");
    if (deliver) deliver.addEventListener("submit", async (event) => {
      event.preventDefault();
      const action = base(element, "delivered");
      const coords = await position();
      Object.assign(action.fields, {
        handoff: deliver.elements.handoff.value,
        where: deliver.elements.where.value,
        signed_by: deliver.elements.signed_by.value,
        latitude: coords ? String(coords.latitude) : null,
        longitude: coords ? String(coords.longitude) : null,
        accuracy: coords ? String(coords.accuracy) : null,
      });
      action.photo = deliver.elements.photo.files[0] || null;
      action.signature = pad ? await pad.image() : null;
      action.sentWords = "Delivered";
      await queue(action);
    });
    const attempt = element.querySelector("form.attempt");
    if (attempt) attempt.addEventListener("submit", async (event) => {
      event.preventDefault();
      const action = base(element, "attempted");
      action.fields.reason = attempt.elements.reason.value;
      action.sentWords = "Attempted";
      await queue(action);
    });
  });

  window.addEventListener("online", send);
  setInterval(send, 15000); // a server that answered 5xx is asked again in a while
  note().then(send);
})();
