/**
 * Replayable runs (executor.ts `Determinism`): the JS a deterministic run installs in its sandbox
 * before its code, and the run-length form clock values travel in.
 *
 * Installed at run start, into the run's own fresh sandbox, so no sandbox ever carries another
 * run's determinism. Compiling the installer (1 KB) is done ahead, in a spare
 * sandbox, when the run before was deterministic (see spares.ts): the compiled function holds no
 * state until it is called. Runs without determinism compile none of it unless a deterministic run
 * came just before them.
 *
 * Clock values go as `[value, count, value, count, …]` both ways: a busy-wait loop
 * (`while (Date.now() < t) {}`) reads the same millisecond thousands of times, and one pair per
 * distinct value keeps its reads within a few bytes per millisecond, in the sandbox and in transit.
 */
import type { QuickJSHandle } from "quickjs-emscripten"
import type { PreparedSandbox } from "./prepared.js"
import type { RunDeterminism } from "./protocol.js"

/** File name the installer is compiled under. */
export const DETERMINISM_FILE = "codemode-determinism.js"

/**
 * Called as `DET(seed, clockJson)` before the run's code; returns `take()`, which empties the reads
 * made past the clock as `"<value>,<count>,"` per run of equal values, in read order.
 *
 * Everything it uses is captured now, while the sandbox holds only the prelude: the native `Date`
 * (`OD`), `Date.now` (`nw`) and `Date.prototype.toString` (`ts`) stay in this closure. `Date`
 * becomes a Proxy of the native one that only traps calls and constructions without arguments, so
 * every other behaviour (statics, `prototype`, `name`, `length`, `toString`, `instanceof`,
 * subclassing) is the native one's; `Date.now` and `Math.random` are Proxies of the natives that
 * trap only the call. No lookup made here ever reaches a prototype user code can change: the
 * handlers (whose missing traps the engine looks up by name) and the replayed and recorded values
 * live in null-prototype objects. Locals: ck/cn/ci/cr the replayed clock (pairs, their length, pair
 * index, reads left in the pair), rs/rn the reads past it, a–d the sfc32 state, h a handler.
 */
export const DETERMINISM_SOURCE = String.raw`(function(sd,cj){"use strict";
var G=globalThis,M=Math,OD=Date,PX=Proxy,R=Reflect.construct,A=Reflect.apply,C=Object.create,nw=OD.now,ts=OD.prototype.toString,
cl=JSON.parse(cj),cn=cl.length,ck=C(null),ci=0,cr,rs=C(null),rn=0,a=0x9e3779b9,b=0x243f6a88,c=0xb7e15162,d=sd>>>0,i,
h=function(k,f){var o=C(null);o[k]=f;return o},
nx=function(){var t=(a+b|0)+d|0;d=d+1|0;a=b^b>>>9;b=c+(c<<3)|0;c=c<<21|c>>>11;c=c+t|0;return t>>>0},
rd=function(){var t;if(ci<cn){t=ck[ci];if(--cr<1){ci+=2;cr=ck[ci+1]}return t}
t=nw();if(rn&&rs[rn-2]===t)rs[rn-1]++;else{rs[rn++]=t;rs[rn++]=1}return t},
dh=h("apply",function(){return A(ts,R(OD,[rd()]),[])}),PD;
dh.construct=function(t,g,n){return R(OD,g.length?g:[rd()],n)};PD=new PX(OD,dh);
for(i=0;i<cn;i++)ck[i]=cl[i];cr=ck[1];
for(i=0;i<15;i++)nx();
OD.now=new PX(nw,h("apply",function(){return rd()}));
OD.prototype.constructor=PD;G.Date=PD;
M.random=new PX(M.random,h("apply",function(){return((nx()>>>5)*67108864+(nx()>>>6))/9007199254740992}));
return function(){var s="",k;for(k=0;k<rn;k++)s+=rs[k]+",";rs=C(null);rn=0;return s}})`

/** Compiles the installer into the sandbox (ahead of its run), unless it already is. */
export function compileInstaller(sb: PreparedSandbox): QuickJSHandle {
  return (sb.installer ??= sb.ctx.unwrapResult(sb.ctx.evalCode(DETERMINISM_SOURCE, DETERMINISM_FILE)))
}

/**
 * Installs determinism in a sandbox whose code has not run yet; returns its `take()` (the caller
 * disposes it). Throws if the sandbox fails (e.g. out of memory).
 */
export function installDeterminism(sb: PreparedSandbox, det: RunDeterminism): QuickJSHandle {
  const { ctx } = sb
  const fn = compileInstaller(sb)
  const seed = ctx.newNumber(det.seed)
  const clock = ctx.newString(JSON.stringify(det.clock))
  try {
    return ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, seed, clock))
  } finally {
    seed.dispose()
    clock.dispose()
  }
}

/** `[value, count, …]` for a list of values: each run of equal values as one pair. */
export function runLengths(values: readonly number[]): number[] {
  const pairs: number[] = []
  for (const v of values) {
    if (pairs.length > 0 && pairs[pairs.length - 2] === v) (pairs[pairs.length - 1] as number)++
    else pairs.push(v, 1)
  }
  return pairs
}

/** Most values handed to one `emit` call, so a long run of reads never becomes one huge array. */
const EMIT_CHUNK = 8_192

/** Expands `[value, count, …]` back into the values, in order, `emit`ted in chunks. */
export function expandRuns(pairs: readonly number[], emit: (values: number[]) => void): void {
  let chunk: number[] = []
  for (let k = 0; k + 1 < pairs.length; k += 2) {
    const v = pairs[k] as number
    for (let n = pairs[k + 1] as number; n > 0; n--) {
      chunk.push(v)
      if (chunk.length === EMIT_CHUNK) {
        emit(chunk)
        chunk = []
      }
    }
  }
  if (chunk.length > 0) emit(chunk)
}
