'use strict';
// Child-process helpers for the benchmark driver: line-oriented children with
// time limits, per-process CPU time and RSS from /proc.

const fs = require('fs');
const { spawn, spawnSync } = require('child_process');

class LineProc {
  constructor(cmd, args, opts = {}) {
    this.lines = [];
    this.waiters = [];
    this.stderr = '';
    this.exited = null; // { code, signal }
    this.exitWaiters = [];
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env || process.env });
    this.pid = this.child.pid;
    let out = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const w = this.waiters.shift();
        if (w) w.resolve(line);
        else this.lines.push(line);
      }
    });
    this.child.stdout.on('end', () => {
      if (out) {
        const w = this.waiters.shift();
        if (w) w.resolve(out);
        else this.lines.push(out);
        out = '';
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => {
      if (this.stderr.length < (opts.maxStderr || 1 << 20)) this.stderr += d;
    });
    this.child.stdin.on('error', () => {});
    this.child.on('error', (err) => this._onExit({ code: null, signal: null, error: err }));
    this.child.on('close', (code, signal) => this._onExit({ code, signal }));
  }

  _onExit(info) {
    if (this.exited) return;
    this.exited = info;
    const why = this.describeExit();
    for (const w of this.waiters.splice(0)) w.reject(new Error(why));
    for (const w of this.exitWaiters.splice(0)) w(info);
  }

  describeExit() {
    const e = this.exited;
    if (!e) return 'running';
    // eslint-disable-next-line no-control-regex
    const clean = this.stderr.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim())
      .filter((l) => l && !/^https?:\/\/\S+$/.test(l));
    let key = clean.filter((l) => /panic|error/i.test(l));
    if (!key.length) key = clean.filter((l) => /unsupported|abort|fatal/i.test(l));
    const tail = (key.length ? key.slice(-2) : clean.slice(-3)).join(' | ').slice(0, 300);
    let how;
    if (e.error) how = `could not start: ${e.error.message}`;
    else if (e.signal) how = `killed by ${e.signal}`;
    else how = `exited with code ${e.code}`;
    return tail ? `${how}: ${tail}` : how;
  }

  nextLine(timeoutMs) {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.exited) return Promise.reject(new Error(this.describeExit()));
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      w.resolve = (v) => { clearTimeout(t); resolve(v); };
      w.reject = (e) => { clearTimeout(t); reject(e); };
      this.waiters.push(w);
    });
  }

  async nextJSON(timeoutMs) {
    for (;;) {
      const line = await this.nextLine(timeoutMs);
      const s = line.trim();
      if (!s.startsWith('{')) continue; // tolerate chatter on stdout
      try {
        return JSON.parse(s);
      } catch (_) {
        throw new Error(`bad JSON line: ${s.slice(0, 200)}`);
      }
    }
  }

  send(text) {
    if (!this.exited && this.child.stdin.writable) this.child.stdin.write(text);
  }

  endInput() {
    if (!this.exited) this.child.stdin.end();
  }

  waitExit(timeoutMs) {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.kill('SIGKILL');
        resolve({ code: null, signal: 'SIGKILL', timedOut: true });
      }, timeoutMs);
      this.exitWaiters.push((info) => { clearTimeout(t); resolve(info); });
    });
  }

  kill(sig = 'SIGKILL') {
    if (!this.exited) {
      try { this.child.kill(sig); } catch (_) { /* gone */ }
    }
  }
}

// Run a program to completion; resolve with { code, signal, stdout, stderr }.
function runToEnd(cmd, args, timeoutMs, input) {
  return new Promise((resolve) => {
    const p = new LineProc(cmd, args);
    if (input !== undefined) p.send(input);
    p.endInput();
    p.waitExit(timeoutMs).then((info) => {
      const lines = p.lines.splice(0);
      resolve({ ...info, stdout: lines.join('\n'), lines, stderr: p.stderr });
    });
  });
}

// CPU time (user+system) of every thread of a process, in nanoseconds.
function cpuNs(pid) {
  let total = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch (_) { /* thread gone */ }
    }
  } catch (_) {
    return NaN;
  }
  return total;
}

function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch (_) {
    return NaN;
  }
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

module.exports = { LineProc, runToEnd, cpuNs, rssBytes, which, sleep };
