// letteraudio episode page: chapters and sentences seek; the sentence (and, with word times,
// the word) being spoken is marked.
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
  // Words with times: the last one that has started is marked, checked every frame while
  // playing (timeupdate alone comes only four times a second).
  var words = Array.prototype.slice.call(document.querySelectorAll("#transcript [data-word]"));
  var starts = words.map(function (word) {
    return parseFloat(word.getAttribute("data-word"));
  });
  var spoken = null;
  function markWord() {
    var time = audio.currentTime;
    var low = 0;
    var high = starts.length - 1;
    var found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (starts[middle] <= time) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    var word = found >= 0 ? words[found] : null;
    if (word === spoken) {
      return;
    }
    if (spoken) {
      spoken.removeAttribute("data-spoken");
    }
    if (word) {
      word.setAttribute("data-spoken", "true");
    }
    spoken = word;
  }
  var following = false;
  function follow() {
    markWord();
    following = !audio.paused && !audio.ended;
    if (following) {
      window.requestAnimationFrame(follow);
    }
  }
  if (words.length) {
    audio.addEventListener("play", function () {
      if (!following) {
        following = true;
        window.requestAnimationFrame(follow);
      }
    });
    audio.addEventListener("seeked", markWord);
  }
  audio.addEventListener("error", function () {
    var error = audio.error;
    status.textContent = "The audio cannot be played" + (error ? " (error " + error.code + ")" : "") + ".";
  });
})();
