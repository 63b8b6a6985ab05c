// Repeats a task while the page is visible: the next run starts a full interval after the last one ended
// (so a slow gateway is never asked twice at once), and a hidden tab asks nothing until it is shown again.

/** Runs task now and every intervalMs while the document is visible; returns a function that stops it. */
export function pollWhileVisible(task, intervalMs) {
  let stopped = false;
  let timer = null;
  let running = false;

  async function run() {
    timer = null;
    if (stopped || running || document.hidden) {
      return;
    }
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (!stopped && !document.hidden && timer === null) {
        timer = window.setTimeout(run, intervalMs);
      }
    }
  }

  function onVisibility() {
    if (!document.hidden && timer === null && !running && !stopped) {
      run();
    }
  }

  document.addEventListener("visibilitychange", onVisibility);
  run();
  return () => {
    stopped = true;
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
