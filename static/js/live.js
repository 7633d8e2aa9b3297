/* A live connection for one page: (re)connects with backoff, and on every open fetches a
   fresh snapshot first, because messages sent while disconnected are lost (at-most-once). */
(function () {
  "use strict";
  function LiveConnection(options) {
    this.topics = options.topics || [];
    this.snapshotUrl = options.snapshotUrl;
    this.onSnapshot = options.onSnapshot || function () {};
    this.onMessage = options.onMessage || function () {};
    this.onState = options.onState || function () {};
    this.attempt = 0;
    this.connect();
  }
  LiveConnection.prototype.connect = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + "/ws/live/?topics=" + encodeURIComponent(this.topics.join(","));
    var socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = function () { self.attempt = 0; self.onState(true); self.refresh(); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "live") { self.onMessage(message.topic, message.payload); }
    };
    socket.onclose = function () {
      self.onState(false);
      var delay = Math.min(30000, 500 * Math.pow(2, self.attempt++)) * (0.5 + Math.random());
      window.setTimeout(function () { self.connect(); }, delay);
    };
  };
  LiveConnection.prototype.refresh = function () {
    var self = this;
    if (!this.snapshotUrl) { return; }
    fetch(this.snapshotUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { self.onSnapshot(data); } })
      .catch(function () {});
  };
  window.BojuLive = LiveConnection;
})();
