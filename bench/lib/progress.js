'use strict';
// Progress of a benchmark run on stderr. On a terminal, one line per scenario
// is rewritten in place while it runs (round, implementation, elapsed time,
// estimated time left) and stays as a one-line result when it ends; otherwise
// only that result line is written, one per scenario.
//
// The time left is the estimated seconds of the work not yet done, scaled by
// how long the finished work took against its own estimate.

function clock(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

class Progress {
  // totalEstimate: estimated seconds of the whole run
  constructor(totalEstimate, stream = process.stderr) {
    this.stream = stream;
    this.live = !!stream.isTTY && process.env.TERM !== 'dumb';
    this.t0 = Date.now();
    this.estimateLeft = totalEstimate;
    this.estimateDone = 0;
    this.current = null; // { label, t0 }
    this.status = '';
  }

  elapsed() {
    return (Date.now() - this.t0) / 1000;
  }

  // Seconds left: the remaining estimate, corrected by the pace so far (which
  // starts from the estimate itself, so that the first samples do not swing it).
  left() {
    const prior = 20;
    const pace = (this.elapsed() + prior) / (this.estimateDone + prior);
    return Math.max(0, this.estimateLeft * pace);
  }

  timing() {
    return `${clock(this.elapsed())} elapsed, ~${clock(this.left())} left`;
  }

  // A permanent line (runtime header, failure, note).
  note(text) {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  begin(label) {
    this.current = { label, t0: Date.now() };
    this.status = 'starting';
    // keep the clock moving through long samples (callgrind runs)
    if (this.live) this.ticker = setInterval(() => this.redraw(), 1000).unref();
    this.redraw();
  }

  // What the scenario is doing now (only shown on a terminal).
  update(status) {
    this.status = status;
    this.redraw();
  }

  // A unit of work whose estimate was `estimate` seconds has finished.
  advance(estimate) {
    this.estimateLeft = Math.max(0, this.estimateLeft - estimate);
    this.estimateDone += estimate;
    this.redraw();
  }

  // Work that will not run after all (an implementation found unavailable).
  skip(estimate) {
    this.estimateLeft = Math.max(0, this.estimateLeft - estimate);
    this.redraw();
  }

  end(result) {
    const took = this.current ? (Date.now() - this.current.t0) / 1000 : 0;
    const label = this.current ? this.current.label : '';
    clearInterval(this.ticker);
    this.clear();
    this.current = null;
    this.stream.write(`${label}  ${result}  (${took.toFixed(1)} s; ${this.timing()})\n`);
  }

  clear() {
    if (this.live && this.current) this.stream.write('\r\x1b[K');
  }

  redraw() {
    if (!this.live || !this.current) return;
    const took = (Date.now() - this.current.t0) / 1000;
    let line = `${this.current.label}  ${this.status}  ${took.toFixed(0)} s  [${this.timing()}]`;
    const cols = this.stream.columns || 100;
    if (line.length >= cols) line = line.slice(0, cols - 1);
    this.stream.write(`\r\x1b[K${line}`);
  }
}

module.exports = { Progress, clock };
