// letteraudio episode page: chapters and sentences seek; the sentence being spoken is marked.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  var status = document.getElementById("status");
  if (!audio) {
    return;
  }
  function seek(seconds) {
    audio.currentTime = seconds;
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function () {});
    }
  }
  document.querySelectorAll("[data-start]").forEach(function (control) {
    control.addEventListener("click", function (event) {
      event.preventDefault();
      seek(parseFloat(control.getAttribute("data-start")));
    });
  });
  var current = null;
  function mark(id) {
    var sentence = document.getElementById(id);
    if (!sentence || sentence === current) {
      return;
    }
    if (current) {
      current.removeAttribute("aria-current");
    }
    sentence.setAttribute("aria-current", "true");
    current = sentence;
  }
  var element = audio.querySelector("track");
  if (element && element.track) {
    var track = element.track;
    track.mode = "hidden"; // cues fire events without being drawn
    track.addEventListener("cuechange", function () {
      var active = track.activeCues;
      if (active && active.length) {
        mark(active[active.length - 1].id);
      }
    });
  }
  audio.addEventListener("error", function () {
    var error = audio.error;
    status.textContent = "The audio cannot be played" + (error ? " (error " + error.code + ")" : "") + ".";
  });
})();
