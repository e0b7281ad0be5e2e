/* The browser recorder (activities/record.html): Walk or Run → Start → Pause →
   Resume → Finish.

   Every accepted GPS reading is written to IndexedDB before it is shown, so a
   reload, a crash or a closed tab resumes the same recording. Finish sends the
   recording to the API (docs/recording.md) under its own id, retrying until the
   connection allows; the server makes one activity per id however often it
   arrives. Distances follow the server's rules (activities/parsers/recording.py):
   readings worse than max_accuracy_m are dropped, and a reading counts as
   movement only when it is farther from the last kept one than both accuracy
   radii together (between min_step_m and max_step_m), so standing still adds
   nothing.
   Every word shown comes from the page's json_script blocks. */
(function () {
  "use strict";

  var root = document.querySelector("[data-recorder]");
  if (!root) return;
  var config = readJSON("recorder-config") || {};
  var T = readJSON("recorder-texts") || {};
  var DB_NAME = "kindsteps-recorder";
  // Same as activities.track: slower than this, or a longer gap, is not moving.
  var MOVING_MIN_SPEED = 0.5;
  var MOVING_MAX_GAP_S = 30;
  var PACE_WINDOW_MS = 30000;
  var RETRY_MAX_MS = 60000;

  var db = null;
  var rec = null; // the recording: {id, user, sport, status, segment, startedAt, finishedAt, activityId}
  var stats = null;
  var watchId = null;
  var wakeLock = null;
  var uploading = false;
  var retryTimer = null;
  var retryDelay = 5000;
  var map = null;
  var lines = [];
  var here = null;
  var lastTime = 0;
  var lastFix = null;
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: 2, maximumFractionDigits: 2
  });

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function $(selector) { return root.querySelector(selector); }

  function say(key, n) { return (T[key] || key).replace("{n}", n === undefined ? "" : n); }

  /* ---------- IndexedDB ---------- */

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var d = request.result;
        d.createObjectStore("recordings", { keyPath: "id" });
        var points = d.createObjectStore("points", { autoIncrement: true });
        points.createIndex("recording", "recording");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(stores, mode, work) {
    return new Promise(function (resolve, reject) {
      if (!db) { reject(new Error("IndexedDB")); return; }
      var tx = db.transaction(stores, mode);
      var result;
      tx.oncomplete = function () { resolve(result); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
      result = work(tx);
    });
  }

  function saveRecording() {
    var copy = Object.assign({}, rec);
    return transact(["recordings"], "readwrite", function (tx) { tx.objectStore("recordings").put(copy); });
  }

  function savePoint(point) {
    return transact(["points"], "readwrite", function (tx) {
      tx.objectStore("points").add(Object.assign({ recording: rec.id }, point));
    });
  }

  function loadPoints(id) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(["points"], "readonly");
      var request = tx.objectStore("points").index("recording").getAll(IDBKeyRange.only(id));
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function loadRecording() {
    return new Promise(function (resolve, reject) {
      var request = db.transaction(["recordings"], "readonly").objectStore("recordings").getAll();
      request.onsuccess = function () {
        var mine = request.result.filter(function (r) { return r.user === config.user; });
        mine.sort(function (a, b) { return b.startedAt - a.startedAt; });
        resolve(mine[0] || null);
      };
      request.onerror = function () { reject(request.error); };
    });
  }

  function deleteRecording(id) {
    return transact(["recordings", "points"], "readwrite", function (tx) {
      tx.objectStore("recordings").delete(id);
      var index = tx.objectStore("points").index("recording");
      index.openKeyCursor(IDBKeyRange.only(id)).onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { tx.objectStore("points").delete(cursor.primaryKey); cursor.continue(); }
      };
    });
  }

  /* ---------- Figures ---------- */

  function newStats() {
    return { points: [], kept: [], distance: 0, moving: 0 };
  }

  function metres(a, b) {
    var rad = Math.PI / 180;
    var x = (b.lon - a.lon) * rad * Math.cos((a.lat + b.lat) / 2 * rad);
    var y = (b.lat - a.lat) * rad;
    return Math.sqrt(x * x + y * y) * 6378137;
  }

  function addToStats(point) {
    stats.points.push(point);
    var last = stats.kept[stats.kept.length - 1];
    if (!last || last.seg !== point.seg) {
      stats.kept.push(point);
      return true;
    }
    var step = metres(last, point);
    var threshold = Math.min(Math.max(last.acc + point.acc, config.min_step_m), config.max_step_m);
    if (step < threshold) return false;
    var dt = (point.t - last.t) / 1000;
    stats.distance += step;
    if (dt > 0 && dt <= MOVING_MAX_GAP_S && step / dt >= MOVING_MIN_SPEED) stats.moving += dt;
    stats.kept.push(point);
    return true;
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function pace(seconds, distance) {
    if (!(distance > 0) || !(seconds > 0)) return T.no_pace;
    var perKm = seconds / (distance / 1000);
    if (perKm > 3600) return T.no_pace;
    return clock(perKm);
  }

  function currentPace(now) {
    var kept = stats.kept;
    var last = kept[kept.length - 1];
    if (!last || rec.status !== "recording" || now - last.t > PACE_WINDOW_MS) return T.no_pace;
    var distance = 0, first = last;
    for (var i = kept.length - 1; i > 0; i--) {
      var a = kept[i - 1], b = kept[i];
      if (a.seg !== b.seg || last.t - a.t > PACE_WINDOW_MS) break;
      distance += metres(a, b);
      first = a;
    }
    return distance >= 10 ? pace((last.t - first.t) / 1000, distance) : T.no_pace;
  }

  function showFigures() {
    var now = Date.now();
    var end = rec ? (rec.finishedAt || now) : now;
    set("distance", number.format(stats.distance / 1000));
    set("elapsed", clock(rec ? (end - rec.startedAt) / 1000 : 0));
    set("moving", clock(stats.moving));
    set("pace", rec ? currentPace(now) : T.no_pace);
    set("avg-pace", pace(stats.moving, stats.distance));
  }

  function set(name, text) {
    var el = root.querySelector('[data-figure="' + name + '"]');
    if (el && el.textContent !== text) el.textContent = text;
  }

  /* ---------- Map ---------- */

  function initMap() {
    var box = $("[data-map]");
    if (!box || !window.L) return;
    // No zoom buttons: fingers pinch, and the buttons would be small targets.
    map = L.map(box, { scrollWheelZoom: false, tap: false, zoomControl: false })
      .setView([16.0, 106.0], 5);
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
    }
  }

  function drawPoint(point, kept) {
    if (!map) return;
    if (kept) {
      var line = lines[point.seg];
      if (!line) line = lines[point.seg] = L.polyline([], { color: "#c8102e", weight: 5 }).addTo(map);
      line.addLatLng([point.lat, point.lon]);
    }
    var latlng = [point.lat, point.lon];
    if (!here) {
      here = L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 3, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
      map.setView(latlng, 16, { animate: false });
    } else {
      here.setLatLng(latlng);
      if (!map.getBounds().pad(-0.1).contains(latlng)) map.panTo(latlng, { animate: false });
    }
  }

  function fitTrack() {
    if (!map) return;
    var drawn = lines.filter(function (l) { return l && l.getLatLngs().length; });
    if (!drawn.length) return;
    var bounds = drawn[0].getBounds();
    drawn.forEach(function (l) { bounds.extend(l.getBounds()); });
    map.fitBounds(bounds, { padding: [16, 16], animate: false });
  }

  function resetMap() {
    lines.forEach(function (l) { if (l) l.remove(); });
    lines = [];
    if (here) { here.remove(); here = null; }
  }

  /* ---------- Screen ---------- */

  function show(state) {
    root.dataset.state = state;
    var visible = {
      idle: ["start"], recording: ["pause", "finish"], paused: ["resume", "finish"], finished: []
    }[state] || [];
    ["start", "pause", "resume", "finish"].forEach(function (action) {
      $('[data-action="' + action + '"]').hidden = visible.indexOf(action) < 0;
    });
    $("[data-sport-choice]").disabled = state !== "idle";
    $("[data-sport-choice]").hidden = state !== "idle" && state !== "loading";
    var status = $("[data-status]");
    var sport = rec ? sportName(rec.sport) : "";
    status.textContent = {
      idle: T.idle,
      recording: T.recording + " · " + sport,
      paused: T.paused,
      finished: T.finished + " · " + sport
    }[state] || "";
    $("[data-action=new]").hidden = !(state === "finished" && rec && rec.status === "uploaded");
  }

  function sportName(sport) {
    var input = root.querySelector('input[name=sport][value="' + sport + '"]');
    return input ? input.parentNode.textContent.trim() : sport;
  }

  function alertText(text) {
    var el = $("[data-alert]");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function gpsText(text, weak) {
    var el = $("[data-gps]");
    el.textContent = text || "";
    el.classList.toggle("recorder-gps-weak", !!weak);
  }

  function uploadText(text, actions, done) {
    var box = $("[data-upload]");
    box.hidden = !text;
    box.classList.toggle("recorder-upload-done", !!done);
    $("[data-upload-status]").textContent = text || "";
    actions = actions || [];
    $("[data-action=retry]").hidden = actions.indexOf("retry") < 0;
    $("[data-action=discard]").hidden = actions.indexOf("discard") < 0;
  }

  /* ---------- GPS and screen lock ---------- */

  function startWatch() {
    if (watchId !== null) return;
    if (!("geolocation" in navigator)) { alertText(T.no_gps); return; }
    gpsText(T.waiting_gps);
    watchId = navigator.geolocation.watchPosition(onPosition, onGpsError, {
      enableHighAccuracy: true, maximumAge: 0, timeout: 30000
    });
  }

  function stopWatch() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    gpsText("");
  }

  function onGpsError(error) {
    if (error.code === 1) {
      alertText(T.denied);
      stopWatch();
      // Nothing recorded yet: back to the start, to try again once allowed.
      if (rec && rec.status === "recording" && !stats.points.length) {
        letSleep();
        deleteRecording(rec.id).then(idle);
      }
    }
    else if (error.code === 2) gpsText(T.unavailable, true);
    else gpsText(T.timeout, true);
  }

  var pending = Promise.resolve();

  function onPosition(position) {
    var c = position.coords;
    var accuracy = Math.round(c.accuracy);
    if (!(c.accuracy <= config.max_accuracy_m)) { gpsText(say("gps_weak", accuracy), true); return; }
    gpsText(say("gps_ok", accuracy));
    alertText("");
    lastFix = position;
    if (!rec || rec.status !== "recording") return;
    // The time the reading reached the page: some phones stamp cached readings with
    // old times. Never earlier than the last, so the points stay in order.
    var t = Math.max(Date.now(), lastTime);
    lastTime = t;
    var point = {
      t: t, lat: c.latitude, lon: c.longitude, acc: c.accuracy,
      alt: c.altitude === null || c.altitude === undefined ? null : c.altitude, seg: rec.segment
    };
    // Written to the phone first, shown after; chained so the order is kept.
    pending = pending.then(function () { return savePoint(point); }).then(function () {
      drawPoint(point, addToStats(point));
      root.dataset.points = String(stats.points.length);
      showFigures();
    }).catch(function () { alertText(T.no_storage); });
  }

  function keepAwake() {
    if (!("wakeLock" in navigator)) { gpsText(T.no_wake_lock); return; }
    if (wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; });
    }).catch(function () { /* refused (battery saver, no gesture): the page works on */ });
  }

  function letSleep() {
    if (wakeLock) wakeLock.release().catch(function () {});
    wakeLock = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (rec && (rec.status === "recording" || rec.status === "paused")) keepAwake();
  });

  /* ---------- Start, pause, resume, finish ---------- */

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = bytes[6] & 0x0f | 0x40;
    bytes[8] = bytes[8] & 0x3f | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function start() {
    var chosen = root.querySelector("input[name=sport]:checked");
    rec = {
      id: newId(), user: config.user, sport: chosen ? chosen.value : "walk",
      status: "recording", segment: 0, startedAt: Date.now(), finishedAt: null, activityId: null
    };
    stats = newStats();
    lastTime = 0;
    resetMap();
    $("[data-result]").innerHTML = "";
    $("[data-notice]").hidden = true;
    uploadText("");
    saveRecording().then(function () {
      show("recording");
      startWatch();
      keepAwake();
    }, function () {
      rec = null;
      alertText(T.no_storage);
    });
  }

  function pause() {
    pending = pending.then(function () {
      rec.status = "paused";
      return saveRecording();
    }).then(function () { show("paused"); showFigures(); fitTrack(); });
  }

  function resume() {
    pending = pending.then(function () {
      rec.status = "recording";
      rec.segment += 1;
      return saveRecording();
    }).then(function () {
      show("recording");
      startWatch();
      keepAwake();
      // The new stretch starts where the GPS last saw the person (the watch runs on
      // during a pause), not at the next reading.
      if (lastFix) onPosition(lastFix);
    });
  }

  function finish() {
    if (!window.confirm(T.confirm_finish)) return;
    pending = pending.then(function () {
      rec.status = "finished";
      rec.finishedAt = Math.max(Date.now(), lastTime);
      return saveRecording();
    }).then(function () {
      stopWatch();
      letSleep();
      show("finished");
      showFigures();
      fitTrack();
      upload();
    });
  }

  /* ---------- Upload ---------- */

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function body() {
    var segments = [];
    stats.points.forEach(function (p) {
      while (segments.length <= p.seg) segments.push([]);
      segments[p.seg].push([p.t, p.lat, p.lon, p.acc, p.alt]);
    });
    return JSON.stringify({
      format: "kindsteps-recording", version: 1, id: rec.id, sport: rec.sport,
      device: "KindSteps (browser)", segments: segments.filter(function (s) { return s.length; })
    });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(upload, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function upload() {
    if (!rec || rec.status !== "finished" || uploading) return;
    uploading = true;
    clearTimeout(retryTimer);
    uploadText(T.uploading);
    fetch(config.upload_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body()
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      uploading = false;
      if (answer.status === 200 || answer.status === 201) return sent(answer.data.id);
      if (answer.status === 401 || answer.status === 403) {
        uploadText(T.logged_out, ["retry"]);
        scheduleRetry();
      } else if (answer.status >= 400 && answer.status < 500) {
        uploadText(say("refused", answer.data.detail || answer.status), ["discard"]);
      } else {
        uploadText(T.retrying, ["retry"]);
        scheduleRetry();
      }
    }, function () {
      uploading = false;
      uploadText(navigator.onLine === false ? T.offline : T.retrying, ["retry"]);
      scheduleRetry();
    });
  }

  function sent(activityId) {
    clearTimeout(retryTimer);
    retryDelay = 5000;
    rec.status = "uploaded";
    rec.activityId = activityId;
    return saveRecording().then(function () {
      show("finished");
      return showResult();
    });
  }

  function showResult() {
    var url = config.result_url.replace(/\/0\/$/, "/" + rec.activityId + "/");
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      uploadText(T.sent, [], true);
      $("[data-result]").innerHTML = html;
      root.dataset.sent = "1";
    }).catch(function () {
      uploadText(T.result_offline, [], true);
    });
  }

  function discard() {
    if (!window.confirm(T.confirm_discard)) return;
    deleteRecording(rec.id).then(idle);
  }

  function another() {
    deleteRecording(rec.id).then(idle);
  }

  function idle() {
    rec = null;
    stats = newStats();
    resetMap();
    $("[data-result]").innerHTML = "";
    delete root.dataset.sent;
    uploadText("");
    show("idle");
    showFigures();
  }

  window.addEventListener("online", function () { retryDelay = 5000; upload(); });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    ({ start: start, pause: pause, resume: resume, finish: finish, retry: upload,
       discard: discard, "new": another })[button.dataset.action]();
  });

  /* ---------- Opening the page ---------- */

  function restore(found) {
    rec = found;
    stats = newStats();
    return loadPoints(rec.id).then(function (points) {
      points.sort(function (a, b) { return a.t - b.t; });
      points.forEach(function (p) { drawPoint(p, addToStats(p)); });
      lastTime = points.length ? points[points.length - 1].t : 0;
      root.dataset.points = String(points.length);
      if (rec.status === "recording" || rec.status === "paused") {
        show(rec.status);
        var notice = $("[data-notice]");
        notice.textContent = T.restored;
        notice.hidden = false;
        if (rec.status === "recording") { startWatch(); keepAwake(); }
      } else {
        show("finished");
        fitTrack();
        if (rec.status === "finished") upload();
        else showResult();
      }
      showFigures();
    });
  }

  function open() {
    initMap();
    stats = newStats();
    if (!("geolocation" in navigator)) {
      alertText(T.no_gps);
      show("idle");
      $("[data-action=start]").disabled = true;
      return;
    }
    openDb().then(function (opened) {
      db = opened;
      return loadRecording();
    }).then(function (found) {
      if (found) return restore(found);
      show("idle");
      showFigures();
    }).catch(function () {
      alertText(T.no_storage);
      show("idle");
    });
    setInterval(function () { if (rec && rec.status !== "uploaded") showFigures(); }, 1000);
    if ("serviceWorker" in navigator && config.worker_url) {
      navigator.serviceWorker.register(config.worker_url, { scope: config.worker_scope })
        .catch(function () { /* no offline copy; recording works all the same */ });
    }
  }

  open();
})();
