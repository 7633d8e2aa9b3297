/* BojuLive: the one live connection of a page (reusable by any page).

   new BojuLive({
     topics: ["event.42.public"],       // the server adds the viewer's own user.<id> topic itself
     snapshotUrl: "/events/42/live.json",
     onSnapshot: function (data) {},     // fresh state from the server
     onMessage: function (topic, payload) {},
     indicator: element                 // optional; gets .on/.off and its data-text-on/-off text
   });

   Delivery over the channel layer is at most once, so every (re)connection fetches a fresh
   snapshot as soon as the server confirms its subscriptions (its "hello"), and so does a tab
   that comes back from the background (a frozen tab may have missed messages without its
   socket closing). Reconnects back off exponentially with jitter, so a restarted server is
   not hit by every page at once.
   No strings are shown from here except the indicator's, which come translated from the page. */
(function () {
  "use strict";
  var BASE_DELAY = 500;          // first retry after 0.25–0.5 s
  var MAX_DELAY = 30000;         // never wait more than 30 s
  var PING_EVERY = 25000;        // keeps proxies from closing an idle socket
  var SILENT_LIMIT = 60000;      // no frame for this long: treat the socket as dead
  function noop() {}

  function BojuLive(options) {
    this.topics = options.topics || [];
    this.snapshotUrl = options.snapshotUrl || "";
    this.onSnapshot = options.onSnapshot || noop;
    this.onMessage = options.onMessage || noop;
    this.indicator = options.indicator || null;
    this.attempt = 0;
    this.socket = null;
    this.retryTimer = null;
    this.refreshTimer = null;
    this.requested = 0;          // snapshot requests sent ...
    this.applied = 0;            // ... and the newest one applied: late answers are dropped
    this.lastHeard = 0;
    var self = this;
    window.setInterval(function () { self.heartbeat(); }, PING_EVERY);
    window.addEventListener("online", function () { self.wake(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { self.wake(); }
    });
    this.connect();
  }

  BojuLive.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var query = this.topics.length ? "?topics=" + encodeURIComponent(this.topics.join(",")) : "";
    return scheme + window.location.host + "/ws/live/" + query;
  };

  BojuLive.prototype.connect = function () {
    var self = this;
    var socket;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    try {
      socket = new WebSocket(this.url());
    } catch (error) {
      this.retry();
      return;
    }
    this.socket = socket;
    // Handlers check they still belong to the current socket: an abandoned one may fire late.
    socket.onopen = function () {
      if (self.socket === socket) { self.lastHeard = Date.now(); }
    };
    socket.onmessage = function (event) {
      if (self.socket !== socket) { return; }
      self.lastHeard = Date.now();
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (!message) { return; }
      if (message.type === "hello") {
        // The server says hello once it has joined the topics. Only from then on is every
        // change pushed, so the snapshot is fetched now, not at open: a change made between
        // open and hello would otherwise be in neither the snapshot nor a push.
        self.attempt = 0;
        self.show(true);
        self.refresh();
      } else if (message.type === "live" && message.payload) {
        self.onMessage(message.topic, message.payload);
      }
    };
    socket.onclose = function () {
      if (self.socket !== socket) { return; }
      self.socket = null;
      self.show(false);
      self.retry();
    };
  };

  BojuLive.prototype.retry = function () {
    var self = this;
    if (this.retryTimer) { return; }
    var ceiling = Math.min(MAX_DELAY, BASE_DELAY * Math.pow(2, this.attempt));
    this.attempt += 1;
    var delay = ceiling / 2 + Math.random() * ceiling / 2;  // "equal jitter"
    this.retryTimer = window.setTimeout(function () { self.retryTimer = null; self.connect(); }, delay);
  };

  BojuLive.prototype.drop = function () {
    var socket = this.socket;
    this.socket = null;
    if (socket) { try { socket.close(); } catch (error) { /* already closing */ } }
    this.show(false);
  };

  BojuLive.prototype.heartbeat = function () {
    var socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    if (Date.now() - this.lastHeard > SILENT_LIMIT) {
      this.drop();   // a half-open TCP connection never fires onclose by itself
      this.retry();
      return;
    }
    socket.send(JSON.stringify({ action: "ping" }));
  };

  // Back in the foreground or back online: reconnect now instead of waiting out the backoff,
  // or, when still connected, re-sync because messages may have been missed meanwhile.
  BojuLive.prototype.wake = function () {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.refresh();
    } else if (!this.socket || this.socket.readyState !== WebSocket.CONNECTING) {
      this.drop();
      this.attempt = 0;
      this.connect();
    }
  };

  BojuLive.prototype.refresh = function () {
    var self = this;
    if (!this.snapshotUrl) { return; }
    var number = ++this.requested;
    // "no-cache": always asks the server, but with the stored copy's ETag where the snapshot has
    // one (the booth map answers 304 then); snapshots sent with no-store are never stored anyway.
    window.fetch(this.snapshotUrl, {
      credentials: "same-origin", cache: "no-cache", headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || number < self.applied) { return; }
        self.applied = number;
        self.onSnapshot(data);
      })
      .catch(noop);  // the next push or reconnect tries again
  };

  // Many pushes in a burst (a busy waiting list) cost one snapshot request, not one each.
  BojuLive.prototype.refreshSoon = function (delay) {
    var self = this;
    if (this.refreshTimer) { return; }
    this.refreshTimer = window.setTimeout(function () {
      self.refreshTimer = null;
      self.refresh();
    }, delay === undefined ? 300 : delay);
  };

  BojuLive.prototype.show = function (on) {
    var dot = this.indicator;
    if (!dot) { return; }
    dot.classList.toggle("on", on);
    dot.classList.toggle("off", !on);
    dot.textContent = on ? dot.getAttribute("data-text-on") : dot.getAttribute("data-text-off");
  };

  window.BojuLive = BojuLive;
})();
