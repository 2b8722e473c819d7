// The page of the browser_app example. The tokens live in HttpOnly cookies
// that this script cannot read; the browser sends them with every request
// to this site. What the script reads are the CSRF cookies, and it copies
// their value into the X-CSRF-TOKEN header of every state-changing request:
// a page on another site can make the browser send the cookies, but it
// cannot read them, so it cannot send the header.
"use strict";

// The value of cookie `name`, or null. Only the CSRF cookies are visible
// here (the token cookies are HttpOnly).
function cookie(name) {
  for (const pair of document.cookie.split("; ")) {
    const equals = pair.indexOf("=");
    if (equals > 0 && pair.slice(0, equals) === name) {
      return pair.slice(equals + 1);
    }
  }
  return null;
}

// Every answer is shown at the bottom of the page. For whoever drives the
// page (the tests), the last answer is also kept on `window`, with the
// number of user actions (and page loads) finished so far.
window.lastAnswer = null;
window.actionsDone = 0;

function show(answer) {
  document.getElementById("status").textContent = String(answer.status);
  document.getElementById("output").textContent = JSON.stringify(answer.body);
  window.lastAnswer = answer;
}

// Calls the app with the session cookies (same origin only). A request
// other than GET carries the value of the CSRF cookie `csrfCookie` in the
// X-CSRF-TOKEN header: csrf_access_token for the API, csrf_refresh_token
// for POST /refresh.
async function api(method, path, { body, csrfCookie = "csrf_access_token" } = {}) {
  const headers = {};
  if (method !== "GET") {
    const csrf = cookie(csrfCookie);
    if (csrf !== null) {
      headers["X-CSRF-TOKEN"] = csrf;
    }
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let answer;
  try {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    answer = { status: response.status, body: await response.json() };
  } catch (error) {
    answer = { status: 0, body: { msg: String(error) } };
  }
  show(answer);
  return answer;
}

function showView(loggedIn) {
  document.getElementById("login-view").hidden = loggedIn;
  document.getElementById("app-view").hidden = !loggedIn;
}

function showNotes(notes) {
  const list = document.getElementById("notes");
  list.replaceChildren(
    ...notes.map((text) => {
      const item = document.createElement("li");
      item.textContent = text; // text, never HTML
      return item;
    }),
  );
}

// Who the session belongs to; the login form when there is no session.
async function whoAmI() {
  const answer = await api("GET", "/api/whoami");
  if (answer.status === 200) {
    document.getElementById("whoami").textContent = answer.body.logged_in_as;
    const expires = answer.body.expires_at;
    document.getElementById("expires").textContent =
      expires ? new Date(expires * 1000).toLocaleTimeString() : "never";
  }
  showView(answer.status === 200);
  return answer;
}

async function loadNotes() {
  const answer = await api("GET", "/api/notes");
  if (answer.status === 200) {
    showNotes(answer.body.notes);
  }
  return answer;
}

async function logIn(event) {
  event.preventDefault();
  const answer = await api("POST", "/login", {
    body: {
      username: document.getElementById("username").value,
      password: document.getElementById("password").value,
    },
  });
  if (answer.status === 200) {
    document.getElementById("password").value = "";
    await whoAmI();
    await loadNotes();
    show(answer);
  }
}

async function saveNote(event) {
  event.preventDefault();
  const answer = await api("POST", "/api/notes", {
    body: { text: document.getElementById("note").value },
  });
  if (answer.status === 201) {
    showNotes(answer.body.notes);
  }
}

// A new access token from the refresh cookie, proven by the refresh
// token's own CSRF value.
function refresh() {
  return api("POST", "/refresh", { csrfCookie: "csrf_refresh_token" });
}

// Logout revokes the tokens, so it needs a valid access token: after a
// long idle time (the access token expired), refresh first.
async function logOut() {
  let answer = await api("POST", "/logout");
  if (answer.status === 401 && answer.body.msg === "Token has expired") {
    if ((await refresh()).status === 200) {
      answer = await api("POST", "/logout");
    }
  }
  if (answer.status === 200) {
    showNotes([]);
    showView(false);
  }
}

async function counted(action) {
  try {
    await action;
  } finally {
    window.actionsDone += 1;
  }
}

function on(id, type, handler) {
  document.getElementById(id).addEventListener(type, (event) => counted(handler(event)));
}

on("login-form", "submit", logIn);
on("note-form", "submit", saveNote);
on("load", "click", whoAmI);
on("refresh", "click", refresh);
on("logout", "click", logOut);

// A reload keeps the session: the cookies are still there.
counted(whoAmI().then((answer) => (answer.status === 200 ? loadNotes() : answer)));
