/* The header's unread count and the event page's announcement banner, live.

   Loaded (deferred) from notifications/_header.html on every page of a signed-in person, right
   after live.js. A page should keep ONE WebSocket, so this script does not open its own when
   the page already makes a BojuLive (the event page does): it wraps the BojuLive constructor
   so that any connection the page opens also subscribes to `inbox.<own id>` and hands the
   inbox's messages here. live.js may be loaded a second time by the page; the wrapper is
   applied again to the redefinition. A page without a live connection of its own gets one
   at DOMContentLoaded (which fires after every deferred script has run).
   Every sentence shown comes translated from data- attributes. */
(function () {
  "use strict";
  var link = document.getElementById("inbox-link");
  if (!link || !link.dataset.user) { return; }
  var inboxTopic = "inbox." + link.dataset.user;
  var unreadUrl = link.dataset.unreadUrl;
  var countEl = link.querySelector("[data-unread-count]");
  var attached = false;
  var counted = {};   // announcement ids already added to the count (banner and inbox both bring them)
  var raw = null;      // live.js's own constructor, unwrapped
  var current = null;  // what window.BojuLive answers

  var wordsEl = link.querySelector("[data-unread-words]");

  function setCount(n) {
    n = Number(n) || 0;
    countEl.textContent = n > 99 ? "99+" : String(n);
    countEl.hidden = n === 0;
    // The badge is only a picture of the number: screen readers hear "消息，3 条未读" instead.
    if (wordsEl) { wordsEl.textContent = n === 0 ? "" : link.dataset.unreadTemplate.replace("__N__", countEl.textContent); }
    // On a phone the link is folded behind the header's menu button, which shows the count too.
    var mirrors = document.querySelectorAll("[data-unread-mirror]");
    for (var i = 0; i < mirrors.length; i++) { mirrors[i].textContent = countEl.textContent; mirrors[i].hidden = n === 0; }
    link.setAttribute("data-unread", String(n));
  }

  function fetchCount() {
    window.fetch(unreadUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { setCount(data.unread); } })
      .catch(function () { /* the next push or reconnect tries again */ });
  }

  function showBanner(payload) {
    var box = document.getElementById("announcements");
    if (!box || !payload.announcement || String(payload.event) !== box.dataset.event) { return; }
    if (box.querySelector('[data-announcement="' + payload.announcement + '"]')) { return; }
    var item = document.createElement("div");
    item.className = "announcement is-unread is-new";
    item.setAttribute("data-announcement", String(payload.announcement));
    var head = document.createElement("div");
    head.className = "announcement-head";
    var strong = document.createElement("strong");
    strong.textContent = box.dataset.textHeading;
    var badge = document.createElement("span");
    badge.className = "badge badge-wait";
    badge.textContent = box.dataset.textNew;
    head.appendChild(strong);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(badge);
    var body = document.createElement("p");
    body.className = "announcement-body";
    body.textContent = payload.message || payload.body || "";
    item.appendChild(head);
    item.appendChild(body);
    box.insertBefore(item, box.firstChild);
    box.hidden = false;
  }

  // On the inbox page a new message appears at the top (its buttons come with the next load).
  function prependToInbox(payload) {
    var list = document.querySelector("[data-inbox-list]");
    if (!list || list.querySelector('[data-notification="' + payload.id + '"]')) { return; }
    var item = document.createElement("li");
    item.className = "card inbox-item is-unread is-new";
    item.setAttribute("data-notification", String(payload.id));
    var head = document.createElement("div");
    head.className = "inbox-item-head";
    var badge = document.createElement("span");
    badge.className = "badge badge-wait";
    badge.textContent = list.dataset.textUnread;
    var title = document.createElement("strong");
    title.className = "inbox-item-title";
    title.textContent = payload.title;
    head.appendChild(badge);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(title);
    var body = document.createElement("p");
    body.className = "inbox-item-body";
    body.textContent = payload.body;
    var foot = document.createElement("div");
    foot.className = "inbox-item-foot muted";
    foot.textContent = list.dataset.textNow;
    item.appendChild(head);
    item.appendChild(body);
    item.appendChild(foot);
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    list.insertBefore(item, list.firstChild);
  }

  function onInbox(payload) {
    if (payload.type === "notification") {
      if (payload.announcement) { counted[payload.announcement] = true; }
      setCount(payload.unread);
      showBanner(payload);
      prependToInbox(payload);
    } else if (payload.type === "notification.read") {
      setCount(payload.unread);
    }
  }

  // The event page's segment group (notice.<event>.<segment>): one send reaches everyone on the
  // page, usually before their own inbox message; it carries +1 instead of a per-person count.
  function onNotice(payload) {
    if (payload.type !== "announcement" || counted[payload.announcement]) { return; }
    counted[payload.announcement] = true;
    setCount(Number(link.getAttribute("data-unread") || 0) + (payload.unread_delta || 0));
    showBanner(payload);
  }

  function noticeTopics() {
    var box = document.getElementById("announcements");
    return box && box.dataset.topics ? box.dataset.topics.split(",").filter(Boolean) : [];
  }

  // Joined with commands after each hello rather than in the URL: a topic refused in the URL
  // refuses the whole connection, and membership may change while the page is open.
  function subscribeNotices(instance) {
    var socket = instance && instance.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    noticeTopics().forEach(function (topic) {
      socket.send(JSON.stringify({ action: "subscribe", topic: topic }));
    });
  }

  function wrap(Ctor) {
    if (typeof Ctor !== "function" || Ctor.bojuInbox) { return Ctor; }
    raw = Ctor;
    function Wrapped(options) {
      var opts = Object.assign({}, options || {});
      var theirMessage = opts.onMessage, theirSnapshot = opts.onSnapshot;
      var instance = null;
      opts.topics = (opts.topics || []).concat([inboxTopic]);
      opts.onMessage = function (topic, payload) {
        if (topic === inboxTopic) { onInbox(payload); return; }
        if (topic.indexOf("notice.") === 0) { onNotice(payload); return; }
        if (theirMessage) { theirMessage(topic, payload); }
      };
      // Every (re)connect re-syncs the page; the count is part of what may have been missed.
      opts.onSnapshot = function (data) {
        subscribeNotices(instance);
        fetchCount();
        if (theirSnapshot) { theirSnapshot(data); }
      };
      attached = true;
      instance = new Ctor(opts);
      return instance;
    }
    Wrapped.prototype = Ctor.prototype;
    Wrapped.bojuInbox = true;
    return Wrapped;
  }

  current = wrap(window.BojuLive);
  Object.defineProperty(window, "BojuLive", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = wrap(value); }
  });

  // After every other DOMContentLoaded handler (a page may open its connection in one).
  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(openOwn, 0); });

  function openOwn() {
    if (attached || !raw) { return; }
    // No live connection on this page: one of our own, for the inbox only.
    new raw({
      topics: [inboxTopic],
      snapshotUrl: unreadUrl,
      onSnapshot: function (data) { setCount(data.unread); },
      onMessage: function (topic, payload) { if (topic === inboxTopic) { onInbox(payload); } }
    });
  }
})();
