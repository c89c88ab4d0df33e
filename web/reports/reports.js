/* The reports page: fetches each report from /api/reports with the staff token and draws it with Chart.js. */
(() => {
  'use strict';
  const PALETTE = ['#2f6fde', '#e0533d', '#2aa876', '#f2a541', '#8e5bd6', '#1fb0c4', '#d94f8a', '#7a8599'];
  const $ = (sel) => document.querySelector(sel);
  const charts = new Map();

  // The token travels in the URL fragment (never sent to the server) or stays in this tab's session.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) {
    sessionStorage.setItem('bssToken', fragment.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = () => sessionStorage.getItem('bssToken');

  async function api(path, accept = 'application/json') {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${token()}`, Accept: accept } });
    if (res.status === 401 || res.status === 403) throw Object.assign(new Error('not allowed'), { auth: true });
    if (!res.ok) throw new Error((await res.json()).message || res.statusText);
    return accept === 'text/csv' ? res.blob() : res.json();
  }

  const months = (rows) => [...new Set(rows.map((r) => r.month))].sort();
  const sumBy = (rows, key, value, label) => months(rows).map((m) => rows.filter((r) => r.month === m && (label === undefined || r[key] === label)).reduce((n, r) => n + Number(r[value] || 0), 0));
  const series = (rows, key) => [...new Set(rows.map((r) => r[key]))].sort();
  const dataset = (label, data, i, extra = {}) => ({ label, data, backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], ...extra });
  const stackedByMonth = (rows, key, value) => ({
    type: 'bar',
    data: { labels: months(rows), datasets: series(rows, key).map((s, i) => dataset(s, sumBy(rows, key, value, s), i)) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });

  /** How each report is drawn. */
  const CHARTS = {
    customers: (rows) => ({
      type: 'bar',
      data: {
        labels: rows.map((r) => r.month),
        datasets: [
          dataset('acquired', rows.map((r) => r.new), 2),
          dataset('churned', rows.map((r) => r.churned), 1),
          dataset('active at month end', rows.map((r) => r.active), 0, { type: 'line', yAxisID: 'active', tension: 0.2 }),
        ],
      },
      options: { scales: { y: { beginAtZero: true }, active: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } },
    }),
    'customers-by-channel': (rows) => stackedByMonth(rows, 'channel', 'new'),
    'customers-by-region': (rows) => ({
      type: 'bar',
      data: { labels: rows.map((r) => r.region), datasets: [dataset('acquired in the period', rows.map((r) => r.new), 2), dataset('active at its end', rows.map((r) => r.active), 0)] },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
    }),
    orders: (rows) => stackedByMonth(rows, 'state', 'orders'),
    'order-lead-time': (rows) => ({
      type: 'line',
      data: {
        labels: months(rows),
        datasets: series(rows, 'product').flatMap((p, i) => [
          dataset(`${p} p50`, months(rows).map((m) => Number(rows.find((r) => r.month === m && r.product === p)?.p50_hours ?? NaN)), i, { spanGaps: true }),
          dataset(`${p} p90`, months(rows).map((m) => Number(rows.find((r) => r.month === m && r.product === p)?.p90_hours ?? NaN)), i, { borderDash: [6, 4], spanGaps: true }),
        ]),
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'hours' } } } },
    }),
    'order-fallout': (rows) => ({
      type: 'bar',
      data: { labels: rows.map((r) => r.reason), datasets: [dataset('orders', rows.map((r) => r.orders), 1)] },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true } } },
    }),
    queries: (rows) => ({
      type: 'bar',
      data: {
        labels: months(rows),
        datasets: [
          dataset('opened', sumBy(rows, null, 'opened'), 0),
          dataset('resolved within SLA', sumBy(rows, null, 'within_sla'), 2),
          dataset('SLA compliance %', months(rows).map((m) => {
            const r = rows.filter((x) => x.month === m);
            const resolved = r.reduce((n, x) => n + x.resolved, 0);
            return resolved ? (100 * r.reduce((n, x) => n + x.within_sla, 0)) / resolved : null;
          }), 3, { type: 'line', yAxisID: 'pct' }),
        ],
      },
      options: { scales: { y: { beginAtZero: true }, pct: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false } } } },
    }),
    interactions: (rows) => stackedByMonth(rows, 'channel', 'interactions'),
    revenue: (rows) => stackedByMonth(rows, 'product', 'billed_gross'),
    collections: (rows) => ({
      type: 'bar',
      data: {
        labels: rows.map((r) => r.month),
        datasets: [
          dataset('billed', rows.map((r) => Number(r.billed)), 0),
          dataset('collected', rows.map((r) => Number(r.collected)), 2),
          dataset('outstanding at month end', rows.map((r) => Number(r.outstanding)), 1, { type: 'line', tension: 0.2 }),
        ],
      },
      options: { scales: { y: { beginAtZero: true } } },
    }),
    arpu: (rows) => ({
      type: 'line',
      data: {
        labels: months(rows),
        datasets: series(rows, 'payment_type').map((t, i) => dataset(t, months(rows).map((m) => {
          const r = rows.find((x) => x.month === m && x.payment_type === t);
          return r && r.arpu !== null ? Number(r.arpu) : null;
        }), i, { spanGaps: true })),
      },
      options: { scales: { y: { beginAtZero: true } } },
    }),
    'prepaid-topups': (rows) => stackedByMonth(rows, 'method', 'amount'),
    'prepaid-balances': (rows) => ({
      type: 'bar',
      data: { labels: rows.map((r) => r.band), datasets: [dataset('accounts', rows.map((r) => r.accounts), 4)] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    'prepaid-usage': (rows) => stackedByMonth(rows, 'service', 'charged'),
  };

  function query() {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData($('#filters'))) if (v) params.set(k, v);
    return params;
  }

  async function download(name, params) {
    const blob = await api(`/api/reports/${name}?${params}&format=csv`, 'text/csv');
    const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: `${name}_${params.get('from')}_${params.get('to')}.csv` });
    a.click();
    URL.revokeObjectURL(a.href);
  }

  async function drawAll(reports) {
    const params = query();
    $('#status').textContent = 'Loading…';
    document.body.dataset.ready = 'false';
    for (const c of charts.values()) c.destroy();
    charts.clear();
    $('#reports').replaceChildren();
    await Promise.all(reports.map(async (report) => {
      const card = document.createElement('article');
      card.className = 'report';
      card.id = `report-${report.name}`;
      const title = document.createElement('h2');
      title.textContent = report.title;
      const csv = document.createElement('button');
      csv.textContent = 'Download CSV';
      csv.addEventListener('click', () => download(report.name, params).catch((e) => alert(e.message)));
      title.append(csv);
      card.append(title);
      $('#reports').append(card);
      const own = new URLSearchParams([...params].filter(([k]) => report.filters.includes(k)));
      const table = await api(`/api/reports/${report.name}?${own}`);
      card.dataset.rows = String(table.rows.length);
      if (!table.rows.length) {
        card.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'No data for this period.' }));
        return;
      }
      const canvas = document.createElement('canvas');
      card.append(canvas);
      const config = CHARTS[report.name](table.rows);
      charts.set(report.name, new Chart(canvas, { ...config, options: { ...config.options, animation: false, responsive: true } }));
      canvas.dataset.points = String(config.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && !Number.isNaN(v)).length, 0));
    }));
    $('#status').textContent = `Period ${params.get('from')} to ${params.get('to')}.`;
    document.body.dataset.ready = 'true';
  }

  async function start() {
    if (!token()) {
      $('#login').hidden = false;
      return;
    }
    try {
      const [reports, dims] = await Promise.all([api('/api/reports'), api('/api/reports/dimensions')]);
      for (const [name, values] of Object.entries(dims)) {
        const select = $(`#filters select[name=${name}]`);
        for (const v of values) select.append(new Option(v, v));
      }
      const form = $('#filters');
      const now = new Date();
      const to = new URLSearchParams(location.search).get('to') || now.toISOString().slice(0, 7);
      const start = new Date(Date.UTC(Number(to.slice(0, 4)), Number(to.slice(5, 7)) - 12, 1));
      form.to.value = to;
      form.from.value = new URLSearchParams(location.search).get('from') || start.toISOString().slice(0, 7);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        drawAll(reports).catch(fail);
      });
      await drawAll(reports);
    } catch (e) {
      fail(e);
    }
  }

  function fail(e) {
    if (e.auth) {
      sessionStorage.removeItem('bssToken');
      $('#login').hidden = false;
    }
    $('#status').textContent = `Could not load the reports: ${e.message}`;
  }

  $('#token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('bssToken', e.target.token.value.trim());
    $('#login').hidden = true;
    start();
  });
  start();
})();
