// support-widget loader: the one file a store includes.
//   <script type="module" src="https://support.example/loader.js" data-endpoint="…"></script>
// It draws the launcher at once without loading the widget, starts fetching the widget when the
// launcher is hovered or focused (or when the browser is idle, with data-preload="idle"), and
// mounts the chat panel on first open. window.SupportWidget works from the start.
const base = new URL('.', import.meta.url);
const tag = document.querySelector('script[src*="loader.js"]');
const config = Object.assign({}, tag ? tag.dataset : {}, window.SupportWidgetConfig || {});
const openKey = (config.storageKey || 'support-widget') + '.open';
const lang = String(config.locale || navigator.language || 'en').slice(0, 2).toLowerCase();
const label = { de: 'Chat öffnen', fr: 'Ouvrir le chat', es: 'Abrir chat', ar: 'فتح المحادثة' }[lang] || 'Open chat';
const guard = 'display:block;position:static;visibility:visible;opacity:1;transform:none;filter:none;perspective:none;contain:none;will-change:auto;zoom:1';

const host = document.createElement('support-widget');
for (const rule of guard.split(';')) {
  const [property, value] = rule.split(':');
  host.style.setProperty(property, value, 'important');
}
const shadow = host.attachShadow({ mode: 'open' });
shadow.innerHTML = `<style>
.sw-shadow{all:initial}
.sw-launcher{position:fixed;inset-inline-end:var(--support-widget-offset,20px);bottom:var(--support-widget-offset,20px);z-index:2147483000;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--support-widget-accent,#2450d8);color:var(--support-widget-accent-text,#fff);cursor:pointer;box-shadow:0 6px 20px rgb(0 0 0/.25);display:grid;place-items:center;box-sizing:border-box}
.sw-left .sw-launcher{inset-inline-end:auto;inset-inline-start:var(--support-widget-offset,20px)}
.sw-launcher:hover{transform:scale(1.06)}
.sw-launcher svg{width:26px;height:26px;fill:currentColor}
@media (prefers-color-scheme:dark){.sw-launcher{background:var(--support-widget-accent,#5b82f0)}}
</style><div class="sw-shadow" data-sw-placeholder><div class="sw-root${config.position === 'left' ? ' sw-left' : ''}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"><button type="button" class="sw-launcher" part="launcher" data-testid="launcher" aria-expanded="false" aria-label="${label}"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg></button></div></div>`;
const launcher = shadow.querySelector('button');

let loading;
function load() {
  loading ??= import(new URL('support-widget.js', base).href)
    .then((glue) => glue.default({ module_or_path: new URL('support-widget_bg.wasm', base).href }))
    .catch((error) => {
      loading = undefined;
      console.error('support-widget: the widget could not be loaded', error);
    });
  return loading;
}
function open() {
  host.dataset.open = '1';
  launcher.setAttribute('aria-expanded', 'true');
  return load();
}
launcher.addEventListener('click', open);
launcher.addEventListener('pointerenter', load, { once: true });
launcher.addEventListener('focus', load, { once: true });

window.SupportWidget = {
  open,
  toggle: open,
  close() {
    delete host.dataset.open;
    launcher.setAttribute('aria-expanded', 'false');
  },
  reset() {
    load().then(() => window.SupportWidget.reset());
  },
  on(name, callback) {
    const listener = (event) => callback(event.detail);
    host.addEventListener('support-widget:' + name, listener);
    return () => host.removeEventListener('support-widget:' + name, listener);
  },
};

function attach() {
  document.body.append(host);
  let wasOpen = false;
  try {
    wasOpen = Boolean(sessionStorage.getItem(openKey));
  } catch {
    // Storage is blocked: the panel simply starts closed.
  }
  if (wasOpen) open();
  else if (config.preload === 'idle') (window.requestIdleCallback || setTimeout)(load);
}
if (document.body) attach();
else document.addEventListener('DOMContentLoaded', attach);
