// The screen check's reader (tests/web/screen_check.py): the page's language, its visible
// text, and the visible buttons whose text colour is (nearly) their background colour.
() => {
  const lang = document.documentElement.lang || '';
  const parse = c => { const m = (c || '').match(/[\d.]+/g); return m ? m.map(Number) : null; };
  const background = el => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && (c.length < 4 || c[3] > 0.05)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const invisible = [];
  for (const el of document.querySelectorAll('button, a.btn, .btn, input[type=submit], input[type=button]')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
    const label = (el.innerText || el.value || '').trim();
    if (!label) continue;
    const fg = parse(style.color).slice(0, 3), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    if ((hi + 0.05) / (lo + 0.05) < 1.5) invisible.push(label + ' (colour ' + style.color + ' on ' + 'rgb(' + bg.join(', ') + '))');
  }
  return {lang, text: document.body ? document.body.innerText : '', invisible};
}
