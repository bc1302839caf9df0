/**
 * Source of the prelude that runs INSIDE each fresh sandbox before the model's code.
 *
 * QuickJS compiles at roughly 0.1–0.4 µs per source byte and every run is a fresh context, so the
 * part compiled on every run (`CORE`) is kept tiny and terse on purpose; the formatter and the error
 * describer (`LIB`, readable) are compiled only when a run first logs an object or fails.
 *
 * CORE is a function expression the worker calls with two host functions, which stay in its closure
 * (never on `globalThis`). It installs `codemode.<ns>.<tool>` (namespaces may nest: `a.b.tool`) and `console`, and returns
 * `[settle, encodeResult, describe]` for the worker. Built-ins are captured before user code runs.
 */
import { CUT_SOURCE } from "./cut-source.js"
import { INSPECT_SOURCE } from "./inspect-source.js"

/** File name the prelude is compiled under (shows in stack traces of errors it creates). */
export const PRELUDE_FILE = "codemode-prelude.js"

const BOUNDARY = "only JSON data (objects, arrays, strings, numbers, booleans, null) can cross the sandbox boundary"

/**
 * Called as `CORE(hostLimit, hostLog, maxArgChars, hostLib)` when the sandbox is prepared; returns
 * `[init(namesJson, outputBudget, maxToolCalls), settle, encodeResult, describe, take]`. `init`
 * installs `codemode` for the bindings (configurable, so a sandbox initialized ahead for the bindings
 * it is likely to get can be re-initialized when the run brings others); `hostLib()` returns
 * LIB_SOURCE, asked for only when first needed so an unused copy of it is never made in a sandbox.
 *
 * Tool calls are pulled, not pushed: a call is queued here (binding index, argument JSON) and the
 * worker takes the queue with one `take()` whenever the code yields — a QuickJS → host function call
 * costs several times a host → QuickJS call in quickjs-emscripten. Only the call over `maxToolCalls`
 * calls the host (`hostLimit()`), so the limit stops even code that never yields.
 * A failed call rejects with an Error whose stack is deleted: QuickJS then records the stack where the
 * error is thrown into the code (the `await` of the call), so an uncaught failure points at the call.
 * Locals: S stringify, Pa parse, A Reflect.apply, X String#indexOf, B the too-big marker, p pending
 * calls, Q/qn the call queue (null prototype: no setter of user code can see it), nc calls made.
 */
export const PRELUDE_SOURCE = String.raw`(function(hx,hl,ma,hs){"use strict";
var G=globalThis,O=Object,J=JSON,S=J.stringify,Pa=J.parse,A=Reflect.apply,C=O.create,D=O.defineProperty,Fz=O.freeze,
P=Promise,E=Error,T=TypeError,X=String.prototype.indexOf,Y=String.prototype.slice,IA=Array.isArray,F=Function,B={},L=null,p=C(null),Q=C(null),qn=0,nc=0,lm=0,bu=0,
lib=function(){return L||(L=F("S","Pa","A","X","Y","E","T",hs())(S,Pa,A,X,Y,E,T))},
en=function(v,w,m){var o=null,s;var f=function(k,x){var t=typeof x;
if(t=="function"||t=="symbol"||t=="bigint")throw o=new T(w+" contains a "+t+(k===""?"":" (at key "+S(k+"")+")")+"; BOUNDARY");
if(t=="object"&&x!==null&&IA(x)&&x.length*2>m)throw o=B;return x};
try{s=A(S,J,[v,f])}catch(e){if(e===o)throw e;throw lib().why(e,w)}
if(s!==void 0&&s.length>m)throw B;return s===void 0?"":s},
ca=function(n,x,a){var j,i;try{j=en(a,"the argument of codemode."+n,ma)}catch(e){
if(e===B)throw new T("the argument of codemode."+n+" is too large to copy (limit "+ma+" characters)");throw e}
if(nc>=lm){hx();return new P(function(){})}
i=nc++;Q[qn++]=x;Q[qn++]=j;return new P(function(r,q){p[i]=[r,q]})},
mk=function(n,t,x){var f=function(a){return ca(n,x,a)};D(f,"name",{value:t});return f},
init=function(nj,ob,l){var r=C(O.prototype),ns=C(null),nm=Pa(nj),i,k,d,s,t,o,q;bu=ob;lm=l;
for(i=0;i<nm.length;i++){k=nm[i];o=r;q=0;
for(d=A(X,k,["."]);d>=0;d=A(X,k,[".",q])){s=A(Y,k,[0,d]);if(!ns[s]){ns[s]=C(O.prototype);D(o,A(Y,k,[q,d]),{value:ns[s],enumerable:true})}o=ns[s];q=d+1}
t=A(Y,k,[q]);D(o,t,{value:mk(k,t,i),enumerable:true})}
for(s in ns)Fz(ns[s]);
D(G,"codemode",{value:Fz(r),configurable:true})},
lg=function(v){return function(){var a=[],o="",i,x,y;for(i=0;i<arguments.length;i++)a[i]=arguments[i];
for(i=0;i<a.length&&o!==null;i++){x=a[i];y=typeof x;
if(y=="string"?i==0&&a.length>1&&A(X,x,["%"])>=0:!(y=="number"||y=="boolean"||y=="undefined"||x===null)||(x===0&&1/x<0))o=null;else o+=(i?" ":"")+x}
bu=hl(v,o!==null?o:lib().formatLog(a,bu>0?bu+1:1))}},
cn=C(O.prototype);cn.log=lg("log");cn.info=lg("info");cn.warn=lg("warn");cn.error=lg("error");cn.debug=lg("debug");cn.trace=lg("debug");
cn.dir=function(v){bu=hl("log",lib().inspect(v,{depth:2,budget:bu>0?bu+1:1}))};
D(G,"console",{value:cn,writable:true,configurable:true});
return[init,function(i,ok,v){var c=p[i];if(!c)return;delete p[i];if(ok)c[0](v===""?void 0:Pa(v));else{v=new E(v);delete v.stack;c[1](v)}},
function(v,m){try{return en(v,"the result",m)}catch(e){if(e===B)return lib().cut(v,m);throw e}},
function(e){return lib().describe(e)},
function(){var s="",k;for(k=0;k<qn;k++)s+=Q[k]+"\x01";Q=C(null);qn=0;return s}]})`.replace("BOUNDARY", BOUNDARY)

/**
 * The lazily compiled part: `Function("S","Pa","A","X","Y","E","T", LIB_SOURCE)` returns
 * `{ inspect, formatLog, describe, why, cut }`.
 */
export const LIB_SOURCE = (
  INSPECT_SOURCE +
  String.raw`
const plain = "BOUNDARY";
` +
  CUT_SOURCE +
  String.raw`
function describe(e) {
  let name = "Error", message = "", stack = "";
  try {
    if (e instanceof E) {
      name = String(e.name);
      message = String(e.message);
      const st = e.stack;
      stack = typeof st === "string" ? st : "";
    } else if (typeof e === "string") {
      name = "Uncaught";
      message = e;
    } else {
      name = "Uncaught";
      message = inspectLib.inspect(e, { depth: 2, budget: 2000 });
    }
  } catch (x) {
    message = "a thrown value could not be described";
  }
  if (message.length > 4000) message = A(Y, message, [0, 4000]) + "... (" + (message.length - 4000) + " more characters)";
  if (name.length > 200) name = A(Y, name, [0, 200]);
  if (stack.length > 4000) stack = A(Y, stack, [0, 4000]);
  return S({ name: name, message: message, stack: stack });
}
function why(e, what) {
  let m = "";
  try { m = e instanceof E ? String(e.message) : ""; } catch (x) { m = ""; }
  if (A(X, m, ["circular"]) >= 0) return new T(what + " contains a cycle (an object that refers to itself); " + plain);
  if (A(X, m, ["stack overflow"]) >= 0 || A(X, m, ["call stack"]) >= 0) return new T(what + " is nested too deeply to copy");
  return e;
}
return { inspect: inspectLib.inspect, formatLog: inspectLib.formatLog, describe: describe, why: why, cut: cutLib };`
).replace("BOUNDARY", BOUNDARY)
