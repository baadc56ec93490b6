// support-widget loader: the one file a store includes.
//   <script type="module" src="https://support.example/loader.js" data-endpoint="…"></script>
// It draws the launcher at once without loading the widget, starts fetching the widget when the
// launcher is hovered or focused (or when the browser is idle, with data-preload="idle"), and
// mounts the chat panel on first open. window.SupportWidget works from the start; once the widget
// is loaded, the same functions drive it.
// The build this loader belongs to; a release build writes its id here. The widget's files are
// loaded with it in their URLs, so a cache may keep them for good and never pairs this loader
// with another build's glue or wasm.
const build = 'dev';
const here = import.meta.url;
const base = new URL('.', here);
const tag = [...document.scripts].find((s) => s.src === here);
let config = {};
try {
  // JSON round trip: a hostile getter or a function becomes an error here, not a dead loader.
  config = Object.assign({}, tag ? tag.dataset : {}, JSON.parse(JSON.stringify(window.SupportWidgetConfig || {})));
} catch {
  console.error('support-widget: window.SupportWidgetConfig must be a plain object of settings');
}
const openKey = (config.storageKey || 'support-widget') + '.open';
const lang = String(config.locale || navigator.language || 'en').slice(0, 2).toLowerCase();
// The placeholder's label in each language the widget has a table for (src/locales).
const labels = { de: 'Chat öffnen', fr: 'Ouvrir le chat', es: 'Abrir chat', ar: 'فتح المحادثة' };
const label = labels[lang] || 'Open chat';
const guard = 'display:block;position:static;visibility:visible;opacity:1;transform:none;filter:none;perspective:none;contain:none;will-change:auto;zoom:1';
const css = `.sw-shadow{all:initial}
.sw-launcher{position:fixed;inset-inline-end:var(--support-widget-offset,20px);bottom:var(--support-widget-offset,20px);z-index:2147483000;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--support-widget-accent,#2450d8);color:var(--support-widget-accent-text,var(--sw-icon,#fff));cursor:pointer;box-shadow:0 6px 20px rgb(0 0 0/.25);display:grid;place-items:center;box-sizing:border-box}
.sw-left .sw-launcher{inset-inline-end:auto;inset-inline-start:var(--support-widget-offset,20px)}
.sw-launcher:hover{transform:scale(1.06)}
.sw-launcher svg{width:26px;height:26px;fill:currentColor}
@media (prefers-color-scheme:dark){.sw-launcher{background:var(--support-widget-accent,#3d68e8)}}`;

// The host the widget adopts: marked, so a page's own <support-widget> is never mistaken for it.
const host = document.createElement('support-widget');
host.setAttribute('data-sw-loader', '');
for (const rule of guard.split(';')) {
  const [property, value] = rule.split(':');
  host.style.setProperty(property, value, 'important');
}
const shadow = host.attachShadow({ mode: 'open' });
// Built with DOM calls (no innerHTML), so pages enforcing Trusted Types still get a launcher.
const el = (name, attributes, parent, ns) => {
  const node = ns ? document.createElementNS(ns, name) : document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  parent.append(node);
  return node;
};
// A constructed stylesheet needs no 'unsafe-inline' in a page's CSP; older browsers get <style>.
if ('adoptedStyleSheets' in shadow && 'replaceSync' in CSSStyleSheet.prototype) {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  shadow.adoptedStyleSheets = [sheet];
} else {
  el('style', {}, shadow).textContent = css;
}
const wrapper = el('div', { class: 'sw-shadow', 'data-sw-placeholder': '' }, shadow);
const root = el('div', { class: config.position === 'left' ? 'sw-root sw-left' : 'sw-root', lang, dir: lang === 'ar' ? 'rtl' : 'ltr' }, wrapper);
const launcher = el('button', { type: 'button', class: 'sw-launcher', part: 'launcher', 'data-testid': 'launcher', 'aria-expanded': 'false', 'aria-label': label }, root);
const svg = 'http://www.w3.org/2000/svg';
const icon = el('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, launcher, svg);
el('path', { d: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z' }, icon, svg);

function attach() {
  if (!host.isConnected) (document.body || document.documentElement).append(host);
  iconColour();
}

// The icon's colour on the brand colour, by the widget's rule (src/theme.rs): white where it
// reads at 4.5:1, else the near-black, else black. A 1×1 canvas turns any CSS colour into sRGB.
function iconColour() {
  const c = document.createElement('canvas').getContext('2d');
  if (!c) return;
  c.fillStyle = getComputedStyle(launcher).backgroundColor;
  c.fillRect(0, 0, 1, 1);
  const [r, g, b] = Array.from(c.getImageData(0, 0, 1, 1).data, (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05;
  const white = 1.05 / l;
  launcher.style.setProperty('--sw-icon', white >= 4.5 ? '#fff' : l / 0.0556 >= 4.5 ? '#111' : white >= l / 0.05 ? '#fff' : '#000');
}
// Again once the page's stylesheets are in, and when the colour scheme changes.
addEventListener('load', iconColour);
matchMedia('(prefers-color-scheme:dark)').addEventListener('change', iconColour);

function setOpen(open) {
  if (open) host.dataset.open = '1';
  else delete host.dataset.open;
  launcher.setAttribute('aria-expanded', String(open));
}

let loading;
let attempt = 0;
// A file of the widget, by this build's id, and past a failed attempt's cached answer.
function widgetUrl(file, retry) {
  const url = new URL(file, base);
  if (build !== 'dev') url.searchParams.set('v', build);
  if (retry) url.searchParams.set('retry', retry);
  return url.href;
}
function load() {
  attach();
  loading ??= Promise.resolve()
    .then(download)
    .catch((error) => {
      // Leave the launcher usable: the next click tries again, past any cached failure.
      loading = undefined;
      attempt += 1;
      setOpen(false);
      console.error('support-widget: the widget could not be loaded', error);
      host.dispatchEvent(new CustomEvent('support-widget:error', { detail: { message: 'The chat could not be loaded.', detail: String(error) }, bubbles: true, composed: true }));
    });
  return loading;
}

// The glue, the wasm and the customer's language table download together; the widget starts
// once the glue and the table are in, and compiles the wasm as it arrives.
function download() {
  const wasm = fetch(widgetUrl('support-widget_bg.wasm', attempt));
  // Its failure is reported by the glue's start below, or is moot when the glue failed.
  wasm.catch(() => {});
  const table = Object.prototype.hasOwnProperty.call(labels, lang) ? languageTable() : undefined;
  return Promise.all([import(widgetUrl('support-widget.js', attempt)), table]).then(([glue, text]) => {
    if (text) host.supportWidgetStrings = text;
    // The demo's order dataset and help articles, which the widget fetches only for its first
    // lookup and its first search.
    host.supportWidgetOrders = widgetUrl('orders.json');
    host.supportWidgetHelp = widgetUrl('help.json');
    return glue.default({ module_or_path: wasm });
  });
}

// The table for a language other than English, or nothing: the widget then speaks English. A
// table slower than a few seconds is not waited for.
function languageTable() {
  const table = fetch(widgetUrl(`locales/${lang}.json`, attempt))
    .then((response) => (response.ok ? response.text() : undefined), () => undefined);
  return Promise.race([table, new Promise((resolve) => setTimeout(resolve, 3000))]);
}

// The widget, once loaded, puts its controls on the host; until then these stand in.
const live = () => host.supportWidget;
const api = {
  open() {
    if (live()) return live().open();
    setOpen(true);
    load();
  },
  close() {
    if (live()) return live().close();
    setOpen(false);
  },
  toggle() {
    if (live()) return live().toggle();
    if (host.dataset.open) api.close();
    else api.open();
  },
  reset() {
    if (live()) return live().reset();
    load().then(() => live()?.reset());
  },
  on(name, callback) {
    const listener = (event) => callback(event.detail);
    host.addEventListener('support-widget:' + name, listener);
    return () => host.removeEventListener('support-widget:' + name, listener);
  },
};
launcher.addEventListener('click', () => api.open());
launcher.addEventListener('pointerenter', load, { once: true });
launcher.addEventListener('focus', load, { once: true });
try {
  window.SupportWidget = api;
} catch {
  console.error('support-widget: window.SupportWidget is taken; the page can still use the <support-widget> element');
}

function start() {
  attach();
  let wasOpen = false;
  try {
    wasOpen = Boolean(sessionStorage.getItem(openKey));
  } catch {
    // Storage is blocked: the panel simply starts closed.
  }
  if (wasOpen) {
    host.dataset.restore = '1';
    api.open();
  }
  else if (config.preload === 'idle') (window.requestIdleCallback || setTimeout)(load);
}
if (document.body) start();
else document.addEventListener('DOMContentLoaded', start);
