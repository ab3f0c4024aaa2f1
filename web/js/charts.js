// charts.js — Apache ECharts (web/vendor/echarts.min.js, copied by `npm run build`), loaded
// once on demand by the pages that draw charts (dashboard, transmission chain): never part
// of the worker's first load.
let echartsPromise = null;
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!echartsPromise) {
    echartsPromise = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts.min.js';
      s.async = true;
      s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('echarts')));
      s.onerror = () => {
        echartsPromise = null;
        s.remove();
        reject(new Error('echarts'));
      };
      document.head.appendChild(s);
    });
  }
  return echartsPromise;
}
