/* The directors' dashboard (a Telegram Mini App).
 *
 * Plain DOM, no framework, no build step. Every text that comes from the server (names of offices,
 * departments, tasks, files …) is put on the page with textContent or as a chart's canvas text, never
 * as HTML. The page signs each request with Telegram's initData (`Authorization: tma …`), read once
 * at load from Telegram's Web App object or from the URL fragment `#tgWebAppData=…`, and kept in
 * memory; in-page navigation changes only the query (`?office=…&department=…`) and keeps the fragment.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- texts (Chinese, English)
  var TEXTS = {
    'title': ['工作看板', 'Dashboard'],
    'loading': ['正在加载…', 'Loading…'],
    'retry': ['重试', 'Try again'],
    'back': ['← 返回', '← Back'],
    'back.overview': ['← 返回总览', '← Back to the overview'],
    'back.own': ['← 返回本单位看板', '← Back to your own office'],
    'back.to': ['← 返回{name}', '← Back to {name}'],
    'meta.period': ['本期：{period}', 'Period: {period}'],
    'meta.generated': ['数据时间：{time}', 'As of {time}'],
    'cycle.caption': ['已报送 / 应报送单位', 'reported / expected'],
    'cycle.none': ['当前没有进行中的报送周期', 'No reporting cycle is open'],
    'cycle.deadline': ['截止时间：{time}', 'Deadline: {time}'],
    'cycle.passed': ['（已截止）', ' (passed)'],
    'cycle.no_deadline': ['未设截止时间', 'No deadline set'],
    'stat.missing': ['未报送', 'not reported'],
    'stat.late': ['逾期报送', 'reported late'],
    'stat.overdue': ['逾期交办单', 'overdue tasks'],
    'stat.agreed': ['议定事项完成', 'agreed items done'],
    'h.missing': ['未报送单位', 'Not reported yet'],
    'h.missing_n': ['未报送单位（{n}）', 'Not reported yet ({n})'],
    'missing.none': ['各单位均已报送。', 'Every unit has reported.'],
    'h.late': ['逾期报送', 'Reported late'],
    'h.children': ['下级办公室', 'Offices below'],
    'col.office': ['办公室', 'Office'],
    'col.own_report': ['本级报送', 'Own report'],
    'col.inside': ['辖区内报送', 'Reported inside'],
    'h.departments': ['各单位报送与办理情况', 'Departments'],
    'filter.group': ['工作专班', 'Working group'],
    'filter.all': ['全部', 'All'],
    'group.none': ['未分组', 'No group'],
    'col.department': ['单位', 'Department'],
    'col.group': ['工作专班', 'Working group'],
    'col.state': ['报送', 'Report'],
    'col.open': ['办理中', 'Open'],
    'col.done': ['已办结', 'Done'],
    'col.overdue': ['逾期', 'Overdue'],
    'col.latest': ['最新进展', 'Latest progress'],
    'departments.none': ['暂无单位。', 'No departments yet.'],
    'departments.filtered': ['该工作专班下暂无单位。', 'No departments in this working group.'],
    'state.reported': ['已报送', 'reported'],
    'state.late': ['逾期报送', 'reported late'],
    'state.missing': ['未报送', 'not reported'],
    'state.none': ['—', '—'],
    'version': ['第{v}版', 'v{v}'],
    'h.groups': ['各工作专班报送情况', 'Reports by working group'],
    'h.states': ['报送情况', 'Reports'],
    'chart.summary': ['已报送 {reported}，逾期报送 {late}，未报送 {missing}',
      '{reported} reported, {late} reported late, {missing} not reported'],
    'h.overdue': ['逾期交办单', 'Overdue tasks'],
    'col.task': ['编号', 'Task'],
    'col.title': ['事项', 'Title'],
    'col.days': ['逾期天数', 'Days overdue'],
    'tag.lead': ['牵头', 'lead'],
    'tag.standing': ['长期坚持', 'standing'],
    'days': ['{n}天', '{n} d'],
    'overdue.none': ['没有逾期的交办单。', 'No overdue tasks.'],
    'h.meetings': ['会议议定事项', 'Agreed items by meeting'],
    'meeting.done': ['已完成 {done}/{total}', '{done} of {total} done'],
    'meeting.overdue': ['#{task} {title}（逾期{days}天）', '#{task} {title} ({days} d overdue)'],
    'meetings.none': ['本期没有议定事项。', 'No agreed items in this period.'],
    'h.indicators': ['指标与年度目标', 'Indicators and targets'],
    'col.indicator': ['指标', 'Indicator'],
    'col.unit': ['计量单位', 'Unit'],
    'col.total': ['本期合计', 'Total'],
    'col.ytd': ['年累计', 'Year to date'],
    'col.target': ['年累计 / 年度目标', 'Year to date / target'],
    'col.completion': ['完成率', 'Done'],
    'col.pace': ['进度', 'Pace'],
    'col.count': ['报送单位数', 'Units'],
    'pace.on': ['✅ 进度达标', '✅ on pace'],
    'pace.behind': ['⚠️ 落后进度', '⚠️ behind pace'],
    'indicators.none': ['暂无指标数据。', 'No indicator figures yet.'],
    'h.targets': ['年度目标完成率', 'Completion of the annual targets'],
    'targets.none': ['未设定年度目标。', 'No annual targets are set.'],
    'targets.no_figure': ['尚无数据', 'no figure'],
    'targets.line': ['目标', 'target'],
    'h.values': ['各单位指标', 'Indicator by department'],
    'dept.office': ['所属：{name}', 'Office: {name}'],
    'dept.group': ['工作专班：{name}', 'Working group: {name}'],
    'dept.liaison': ['联络员：{name}', 'Liaison: {name}'],
    'dept.no_liaison': ['尚无联络员', 'No liaison yet'],
    'h.tasks': ['交办单', 'Tasks'],
    'col.due': ['时限', 'Due'],
    'col.status': ['状态', 'Status'],
    'tasks.none': ['没有交办单。', 'No tasks.'],
    'status.pending': ['待确认', 'not acknowledged'],
    'status.acknowledged': ['已确认收到', 'acknowledged'],
    'status.in_progress': ['办理中', 'in progress'],
    'status.done': ['已办结', 'done'],
    'status.overdue': ['已逾期', 'overdue'],
    'status.closed': ['已关闭', 'closed'],
    'status.standing': ['长期坚持', 'standing'],
    'status.unnotified': ['未通知（无联络员）', 'not notified (no liaison)'],
    'h.reports': ['报送记录', 'Reports'],
    'reports.none': ['尚无报送。', 'No reports yet.'],
    'report.late': ['逾期报送', 'late'],
    'h.progress': ['进展记录', 'Progress'],
    'progress.none': ['尚无进展。', 'No progress yet.'],
    'progress.task': ['交办单 #{task}', 'Task #{task}'],
    'progress.photo': ['照片', 'photo'],
    'progress.document': ['文件', 'file'],
    'err.no_init': ['请从 Telegram 中打开看板，或使用管理员提供的链接。',
      'Please open the dashboard from Telegram, or use the link your administrator gave you.'],
    'err.401': ['登录已失效，请在 Telegram 中重新打开看板。',
      'Your sign-in has expired or is not valid. Please open the dashboard again from Telegram.'],
    'err.403': ['看板仅向领导和办公室管理员开放。', 'The dashboard is open to directors and office admins only.'],
    'err.404': ['没有找到要查看的内容，可能已被删除。', 'What you asked for was not found; it may have been removed.'],
    'err.network': ['无法连接到服务器，请检查网络后重试。', 'Could not reach the server. Please check your connection and try again.'],
    'err.server': ['服务器暂时出错，请稍后重试。', 'The server ran into a problem. Please try again later.']
  };

  var STATE_RANK = { missing: 0, late: 1, reported: 2, none: 3 };
  var NO_GROUP = '\u0000';  // the filter's value for departments in no working group

  var lang = langOf(navigator.language);
  var initData = '';
  var view = { seq: 0, state: null, summary: null, department: null };
  var table = { office: null, group: '', key: null, dir: 1 };
  var charts = {};
  var backTarget = null;
  var tg = telegramBridge();

  function langOf(code) {
    return /^zh/i.test(String(code || '')) ? 'zh' : 'en';
  }

  function t(key, params) {
    var pair = TEXTS[key];
    var text = pair ? pair[lang === 'zh' ? 0 : 1] : key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
      });
    }
    return text;
  }

  /* "name（unit）" in Chinese, "name (unit)" in English. */
  function paren(text) { return lang === 'zh' ? '（' + text + '）' : ' (' + text + ')'; }

  function setLang(value) {
    if (value === 'zh' || value === 'en') lang = value;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('title');
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    var sortable = document.querySelectorAll('#departments th[data-sort]');
    for (var j = 0; j < sortable.length; j++) sortHeader(sortable[j]);
  }

  // ---------------------------------------------------------------- small DOM helpers
  function $(id) { return document.getElementById(id); }

  /* el('td', {className: 'num'}, ['text', child]): strings become text nodes. */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
        var value = props[key];
        if (value === null || value === undefined) continue;
        if (key === 'dataset') {
          for (var d in value) if (Object.prototype.hasOwnProperty.call(value, d)) node.dataset[d] = String(value[d]);
        } else if (key.indexOf('-') >= 0) {
          node.setAttribute(key, String(value));
        } else {
          node[key] = value;
        }
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined) return node;
    if (!Array.isArray(children)) children = [children];
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function show(node, visible) { node.hidden = !visible; }

  function fmtNumber(value) {
    if (value === null || value === undefined || value === '') return '—';
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    try {
      return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: 2 }).format(n);
    } catch (e) {
      return String(n);
    }
  }

  /* An ISO time as the office wrote it (its own time zone), "2026-12-01 10:00". */
  function fmtTime(iso) {
    var m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(iso || ''));
    return m ? m[1] + ' ' + m[2] : String(iso || '');
  }

  function tag(text) { return el('span', { className: 'tag' }, text); }

  /* Each cell carries its column's name, shown when a narrow screen turns the rows into cards. */
  function labelled(row, tableId) {
    var heads = document.querySelectorAll('#' + tableId + ' thead th');
    for (var i = 0; i < row.cells.length && i < heads.length; i++) {
      row.cells[i].setAttribute('data-label', heads[i].textContent + (lang === 'zh' ? '：' : ': '));
    }
    return row;
  }

  // ---------------------------------------------------------------- Telegram (without its script)
  function telegramBridge() {
    var webApp = window.Telegram && window.Telegram.WebApp;
    var proxy = window.TelegramWebviewProxy;
    var inFrame = false;
    try { inFrame = window.parent !== window; } catch (e) { inFrame = true; }

    function post(type, data) {
      try {
        if (proxy && typeof proxy.postEvent === 'function') {
          proxy.postEvent(type, data === undefined ? '' : JSON.stringify(data));
        } else if (inFrame) {
          window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), '*');
        }
      } catch (e) { /* outside Telegram: nothing to tell */ }
    }

    function received(type, data) {
      if (type === 'back_button_pressed') {
        goBack();
      } else if (type === 'theme_changed' && data && data.theme_params) {
        applyTheme(data.theme_params);
        redrawCharts();
      }
    }

    if (!webApp) {
      // Telegram's clients deliver events to these (as its own script defines them)
      window.Telegram = window.Telegram || {};
      if (!window.Telegram.WebView) window.Telegram.WebView = { receiveEvent: received };
      if (!window.TelegramGameProxy_receiveEvent) window.TelegramGameProxy_receiveEvent = received;
      if (inFrame) {
        window.addEventListener('message', function (event) {
          if (event.source !== window.parent) return;
          var msg;
          try { msg = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (e) { return; }
          if (msg && typeof msg.eventType === 'string') received(msg.eventType, msg.eventData);
        });
      }
    }

    return {
      ready: function () {
        if (webApp) {
          try { if (webApp.ready) webApp.ready(); if (webApp.expand) webApp.expand(); } catch (e) { /* ignore */ }
          return;
        }
        post('web_app_ready');
        post('web_app_expand');
      },
      backButton: function (visible) {
        if (webApp && webApp.BackButton) {
          try {
            if (visible) { webApp.BackButton.show(); } else { webApp.BackButton.hide(); }
          } catch (e) { /* ignore */ }
          return;
        }
        post('web_app_setup_back_button', { is_visible: !!visible });
      },
      webApp: webApp
    };
  }

  function applyTheme(params) {
    if (!params || typeof params !== 'object') return;
    var root = document.documentElement.style;
    for (var key in params) {
      if (!Object.prototype.hasOwnProperty.call(params, key)) continue;
      var value = String(params[key]);
      if (/^[a-z_]+$/.test(key) && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        root.setProperty('--tg-theme-' + key.replace(/_/g, '-'), value);
      }
    }
    // a dark Telegram theme takes the brighter state colours too
    var bg = /^#([0-9a-fA-F]{6})$/.exec(String(params.bg_color || ''));
    if (bg) {
      var n = parseInt(bg[1], 16);
      var light = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
      document.documentElement.classList.toggle('tg-dark', light < 128);
    }
  }

  /* The launch fragment (#tgWebAppData=…&tgWebAppThemeParams=…): kept for this tab in
     sessionStorage and taken out of the address, so a copied or shared link never carries the
     sign-in; a reload of the tab still finds it. */
  var LAUNCH = 'liaison-desk.launch';
  function launchHash() {
    var hash = location.hash ? location.hash.slice(1) : '';
    if (hash.indexOf('tgWebAppData=') !== -1) {
      try { sessionStorage.setItem(LAUNCH, hash); } catch (e) { /* private mode: memory only */ }
      return hash;
    }
    try { return sessionStorage.getItem(LAUNCH) || ''; } catch (e) { return ''; }
  }

  /* initData and theme, once, at load. */
  function readLaunch() {
    var webApp = tg.webApp;
    if (webApp && typeof webApp.initData === 'string' && webApp.initData) initData = webApp.initData;
    var hash = launchHash();
    if (hash) {
      var params;
      try { params = new URLSearchParams(hash); } catch (e) { params = null; }
      if (params) {
        if (!initData) initData = params.get('tgWebAppData') || '';
        var theme = params.get('tgWebAppThemeParams');
        if (theme) {
          try { applyTheme(JSON.parse(theme)); } catch (e) { /* ignore a bad theme */ }
        }
      }
    }
    if (webApp && webApp.themeParams) applyTheme(webApp.themeParams);
  }

  /* The fragment's initData, when it differs from the one in use; true when it changed. */
  function freshInitData() {
    if (tg.webApp && tg.webApp.initData) return false;
    var hash = location.hash ? location.hash.slice(1) : '';
    var value = '';
    try { value = new URLSearchParams(hash).get('tgWebAppData') || ''; } catch (e) { value = ''; }
    if (!value) return false;
    launchHash();  // kept for the tab, then out of the address
    history.replaceState(history.state, '', location.pathname + location.search);
    if (value === initData) return false;
    initData = value;
    return true;
  }

  // ---------------------------------------------------------------- navigation
  function stateFromLocation() {
    var q = new URLSearchParams(location.search);
    var office = q.get('office');
    var department = q.get('department');
    return {
      office: /^\d+$/.test(office || '') ? Number(office) : null,
      department: /^\d+$/.test(department || '') ? Number(department) : null
    };
  }

  function urlOf(state) {
    var q = new URLSearchParams();
    if (state.office !== null) q.set('office', String(state.office));
    if (state.department !== null) q.set('department', String(state.department));
    var query = q.toString();
    return location.pathname + (query ? '?' + query : '');
  }

  function sameState(a, b) {
    return !!a && !!b && a.office === b.office && a.department === b.department;
  }

  function navigate(state) {
    var here = view.state || stateFromLocation();
    var depth = (history.state && history.state.depth) || 0;
    // where the reader was, to come back to the same place of a long table
    try {
      var kept = {};
      var old = history.state || {};
      for (var k in old) if (Object.prototype.hasOwnProperty.call(old, k)) kept[k] = old[k];
      kept.scroll = window.pageYOffset || 0;
      history.replaceState(kept, '', location.href);
    } catch (e) { /* ignore */ }
    history.pushState({ office: state.office, department: state.department, depth: depth + 1, from: here },
      '', urlOf(state));
    load(state);
  }

  function goBack() {
    if (!backTarget) return;
    var h = history.state;
    if (h && h.depth > 0 && sameState(h.from, backTarget)) {
      history.back();
    } else {
      navigate(backTarget);
    }
  }

  function setBack(target, label) {
    backTarget = target;
    var button = $('back');
    button.textContent = label || '';
    show(button, !!target);
    tg.backButton(!!target);
  }

  // ---------------------------------------------------------------- loading
  function api(path) {
    return fetch(path, {
      headers: { 'Authorization': 'tma ' + initData, 'Accept': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store'
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error('HTTP ' + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    }, function (reason) {
      var error = new Error('network: ' + reason);
      error.status = 0;
      throw error;
    });
  }

  function setView(name) {
    document.body.setAttribute('data-view', name);
    show($('loading'), name === 'loading');
    show($('error'), name === 'error');
    show($('summary'), name === 'summary');
    show($('department-page'), name === 'department');
  }

  function load(state, scroll) {
    view.state = state;
    var seq = ++view.seq;
    if (!initData) {
      showError('err.no_init', false, state);
      return;
    }
    setView('loading');
    var query = state.office !== null ? '?office=' + encodeURIComponent(state.office) : '';
    var path = state.department !== null
      ? '/api/departments/' + encodeURIComponent(state.department) + query
      : '/api/summary' + query;
    api(path).then(function (data) {
      if (seq !== view.seq) return;
      if (state.department !== null) {
        renderDepartment(data, state);
      } else {
        renderSummary(data, state);
      }
      window.scrollTo(0, scroll || 0);
    }).catch(function (error) {
      if (seq !== view.seq) return;
      var status = error && typeof error.status === 'number' ? error.status : -1;
      if (status === -1 && window.console) console.warn(error);
      if (status === 401) showError('err.401', false, state);
      else if (status === 403) showError('err.403', false, state);
      else if (status === 404) showError('err.404', false, state);
      else if (status === 0) showError('err.network', true, state);
      else showError('err.server', true, state);
    });
  }

  function showError(key, retry, state) {
    setView('error');
    $('error-text').textContent = t(key);
    $('error').setAttribute('data-error', key);
    show($('retry'), retry);
    if (!view.summary) {
      $('office-name').textContent = t('title');
      $('meta').textContent = '';
    }
    if (state && state.department !== null && key !== 'err.401' && key !== 'err.403') {
      setBack({ office: state.office, department: null }, t('back.overview'));
    } else if (state && state.office !== null && key !== 'err.401') {
      setBack({ office: null, department: null }, t('back.own'));  // an office not theirs: back home
    } else {
      setBack(null);
    }
  }

  // ---------------------------------------------------------------- the summary
  function renderSummary(data, state) {
    setLang(data.lang);
    view.summary = data;
    var office = data.office || {};
    if (table.office !== office.id) {
      table.office = office.id;
      table.group = '';
    }
    document.body.setAttribute('data-office-id', String(office.id));
    $('office-name').textContent = office.name || '';
    var meta = [];
    var period = data.period || {};
    if (period.name || period.label) meta.push(t('meta.period', { period: period.name || period.label }));
    if (data.generated_at) meta.push(t('meta.generated', { time: fmtTime(data.generated_at) }));
    $('meta').textContent = meta.join(' · ');

    renderCycle(data);
    renderMissing(data.cycle || {});
    renderChildren(data.children || []);
    renderDepartments(data);
    renderOverdue(data.overdue || []);
    renderMeetings(data.meetings || []);
    renderIndicators(data.indicators || []);

    if (data.parent) {
      setBack({ office: data.parent.id, department: null }, t('back.to', { name: data.parent.name }));
    } else {
      setBack(null);
    }
    setView('summary');
    drawSummaryCharts(data);
  }

  function renderCycle(data) {
    var cycle = data.cycle || {};
    var submitted = Number(cycle.submitted || 0);
    var total = Number(cycle.total || 0);
    $('cycle-name').textContent = cycle.name || cycle.label || t('cycle.none');
    $('cycle-count').textContent = submitted + '/' + total;
    $('cycle-bar').style.width = (total > 0 ? Math.min(100, submitted / total * 100) : 0) + '%';
    var deadline = $('deadline');
    deadline.className = 'deadline';
    if (cycle.deadline) {
      var text = t('cycle.deadline', { time: fmtTime(cycle.deadline) });
      var due = Date.parse(cycle.deadline);
      var now = Date.parse(data.generated_at || '') || Date.now();
      if (isFinite(due) && due < now) {
        text += t('cycle.passed');
        if (submitted < total) deadline.className = 'deadline passed';
      }
      deadline.textContent = text;
    } else {
      deadline.textContent = cycle.name || cycle.label ? t('cycle.no_deadline') : '';
    }
    var stats = clear($('cycle-stats'));
    function stat(value, key, cls) {
      stats.appendChild(el('li', { className: cls }, [el('strong', null, value), el('span', null, t(key))]));
    }
    var missing = (cycle.missing || []).length;
    var late = (cycle.late || []).length;
    var overdue = (data.overdue || []).length;
    stat(missing, 'stat.missing', missing ? 'bad' : '');
    stat(late, 'stat.late', late ? 'warn' : '');
    stat(overdue, 'stat.overdue', overdue ? 'bad' : '');
    var meetings = data.meetings || [];
    if (meetings.length) {
      var done = 0;
      var all = 0;
      meetings.forEach(function (m) { done += Number(m.done || 0); all += Number(m.total || 0); });
      stat(done + '/' + all, 'stat.agreed', '');
    }
  }

  function renderMissing(cycle) {
    var missing = cycle.missing || [];
    var late = cycle.late || [];
    var heading = document.querySelector('#missing-card h2');
    heading.textContent = missing.length ? t('h.missing_n', { n: missing.length }) : t('h.missing');
    var list = clear($('missing'));
    missing.forEach(function (name) { list.appendChild(el('li', null, name)); });
    $('missing-none').textContent = cycle.label ? t('missing.none') : t('cycle.none');
    show($('missing-none'), missing.length === 0);
    var lateList = clear($('late'));
    late.forEach(function (name) { lateList.appendChild(el('li', null, name)); });
    show($('late-box'), late.length > 0);
  }

  function renderChildren(children) {
    var body = clear(document.querySelector('#children tbody'));
    children.forEach(function (child) {
      var state = { office: child.id, department: null };
      var inside = child.submitted !== null && child.submitted !== undefined && child.total !== null &&
        child.total !== undefined ? child.submitted + '/' + child.total : '—';
      var row = el('tr', { className: 'link', dataset: { officeId: child.id } }, [
        el('td', { className: 'name' }, linkTo(state, child.name)),
        el('td', null, child.reported === null || child.reported === undefined
          ? el('span', { className: 'state state-none' }, t('state.none'))
          : el('span', { className: 'state state-' + (child.reported ? 'reported' : 'missing') },
            t(child.reported ? 'state.reported' : 'state.missing'))),
        el('td', { className: 'num' }, inside)
      ]);
      row.addEventListener('click', function () { navigate(state); });
      body.appendChild(row);
    });
    show($('children-card'), children.length > 0);
  }

  /* A link that navigates in the page (and still opens on its own with a modifier key). */
  function linkTo(state, text) {
    var a = el('a', { href: urlOf(state) }, text);
    a.addEventListener('click', function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        event.stopPropagation();
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      navigate(state);
    });
    return a;
  }

  function groupOf(dept) { return dept.group === null || dept.group === undefined || dept.group === '' ? NO_GROUP : dept.group; }

  function renderDepartments(data) {
    var departments = data.departments || [];
    // the working groups, in the digest's order, then any others the departments name
    var names = [];
    (data.groups || []).forEach(function (g) { if (names.indexOf(g.name) < 0) names.push(g.name); });
    var ungrouped = false;
    departments.forEach(function (d) {
      var g = groupOf(d);
      if (g === NO_GROUP) ungrouped = true;
      else if (names.indexOf(g) < 0) names.push(g);
    });
    var select = clear($('group-filter'));
    select.appendChild(el('option', { value: '' }, t('filter.all')));
    names.forEach(function (name) { select.appendChild(el('option', { value: name }, name)); });
    if (ungrouped) select.appendChild(el('option', { value: NO_GROUP }, t('group.none')));
    if (table.group && names.indexOf(table.group) < 0 && !(ungrouped && table.group === NO_GROUP)) table.group = '';
    select.value = table.group;
    select.parentNode.hidden = names.length === 0;
    fillDepartmentRows();
  }

  function fillDepartmentRows() {
    var data = view.summary || {};
    var all = data.departments || [];
    var rows = all.filter(function (d) { return !table.group || groupOf(d) === table.group; });
    if (table.key) {
      var key = table.key;
      var dir = table.dir;
      rows = rows.map(function (d, i) { return { d: d, i: i }; }).sort(function (a, b) {
        var c = compare(a.d, b.d, key);
        return c !== 0 ? c * dir : a.i - b.i;
      }).map(function (x) { return x.d; });
    }
    var body = clear(document.querySelector('#departments tbody'));
    var office = view.state ? view.state.office : null;
    rows.forEach(function (d) {
      var state = { office: office, department: d.id };
      var clickable = d.id !== null && d.id !== undefined;
      var stateCell = el('td', null, el('span', { className: 'state state-' + (d.state || 'none') },
        t('state.' + (STATE_RANK.hasOwnProperty(d.state) ? d.state : 'none'))));
      if (d.version && d.version > 1 && d.state !== 'missing') stateCell.appendChild(tag(t('version', { v: d.version })));
      var row = el('tr', { className: clickable ? 'link' : '', dataset: clickable ? { departmentId: d.id } : null }, [
        el('td', { className: 'name sticky' }, clickable ? linkTo(state, d.name) : d.name),
        stateCell,
        el('td', { className: 'nowrap' }, d.group || '—'),
        el('td', { className: 'num' }, fmtNumber(d.tasks_open)),
        el('td', { className: 'num' }, fmtNumber(d.tasks_done)),
        el('td', { className: 'num' + (d.tasks_overdue > 0 ? ' bad' : '') }, fmtNumber(d.tasks_overdue)),
        el('td', { className: 'latest', title: d.latest || '' }, d.latest || '—')
      ]);
      if (clickable) row.addEventListener('click', function () { navigate(state); });
      body.appendChild(row);
    });
    var none = $('departments-none');
    none.textContent = all.length ? t('departments.filtered') : t('departments.none');
    show(none, rows.length === 0);
  }

  function compare(a, b, key) {
    if (key === 'state') return rank(a.state) - rank(b.state);
    if (key === 'name' || key === 'group') {
      var x = a[key] || '';
      var y = b[key] || '';
      if (!x !== !y) return x ? -1 : 1;
      return x.localeCompare(y, lang === 'zh' ? 'zh-CN' : 'en');
    }
    if (key === 'latest_at') {
      var p = a.latest_at || '';
      var q = b.latest_at || '';
      if (!p !== !q) return p ? -1 : 1;
      var tp = Date.parse(p) || 0;
      var tq = Date.parse(q) || 0;
      return tp - tq;
    }
    return (Number(a[key]) || 0) - (Number(b[key]) || 0);
  }

  function rank(state) { return STATE_RANK.hasOwnProperty(state) ? STATE_RANK[state] : 9; }

  function sortHeader(th) {
    var key = th.getAttribute('data-sort');
    var label = t(th.getAttribute('data-label'));
    var button = el('button', { type: 'button' }, label);
    button.addEventListener('click', function () {
      if (table.key === key) {
        table.dir = -table.dir;
      } else {
        table.key = key;
        table.dir = 1;
      }
      markSorted();
      fillDepartmentRows();
    });
    clear(th).appendChild(button);
    markSorted();
  }

  function markSorted() {
    var headers = document.querySelectorAll('#departments th[data-sort]');
    for (var i = 0; i < headers.length; i++) {
      var th = headers[i];
      if (th.getAttribute('data-sort') === table.key) {
        th.setAttribute('aria-sort', table.dir > 0 ? 'ascending' : 'descending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
  }

  function renderOverdue(items) {
    var body = clear(document.querySelector('#overdue tbody'));
    items.forEach(function (o) {
      var dept = el('td', { className: 'wrap' }, o.department);
      if (o.lead) dept.appendChild(tag(t('tag.lead')));
      body.appendChild(labelled(el('tr', null, [
        el('td', { className: 'num' }, '#' + o.task),
        el('td', { className: 'wrap head' }, o.title),
        dept,
        el('td', { className: 'num bad' }, t('days', { n: o.days }))
      ]), 'overdue'));
    });
    show(document.querySelector('#overdue-card .table-wrap'), items.length > 0);
    show($('overdue-none'), items.length === 0);
  }

  function renderMeetings(meetings) {
    var list = clear($('meetings'));
    meetings.forEach(function (m) {
      var total = Number(m.total || 0);
      var done = Number(m.done || 0);
      var fill = el('div', { className: 'bar-fill' });
      fill.style.width = (total > 0 ? Math.min(100, done / total * 100) : 0) + '%';
      var item = el('li', null, [
        el('div', { className: 'meeting-title' }, [m.title, ' ', el('span', { className: 'tag' }, m.held_on || '')]),
        el('div', { className: 'meeting-line' }, [
          el('div', { className: 'bar', 'aria-hidden': 'true' }, fill),
          el('span', null, t('meeting.done', { done: done, total: total }))
        ])
      ]);
      var late = m.overdue || [];
      if (late.length) {
        var ul = el('ul', { className: 'meeting-overdue' });
        late.forEach(function (o) {
          ul.appendChild(el('li', null, t('meeting.overdue', { task: o.task, title: o.title, days: o.days })));
        });
        item.appendChild(ul);
      }
      list.appendChild(item);
    });
    show(list, meetings.length > 0);
    show($('meetings-none'), meetings.length === 0);
  }

  function has(value) { return value !== null && value !== undefined; }

  function renderIndicators(indicators) {
    var body = clear(document.querySelector('#indicators tbody'));
    indicators.forEach(function (i) {
      var total = has(i.total) ? fmtNumber(i.total)
        : has(i.low) && has(i.high) ? (i.low === i.high ? fmtNumber(i.low) : fmtNumber(i.low) + '～' + fmtNumber(i.high))
          : '—';
      var pace = i.on_pace === true ? t('pace.on') : i.on_pace === false ? t('pace.behind') : '—';
      var ytd = has(i.target_figure) ? fmtNumber(i.target_figure) : '—';
      body.appendChild(labelled(el('tr', null, [
        el('td', { className: 'name sticky head' }, i.name),
        el('td', null, i.unit || '—'),
        el('td', { className: 'num' }, total),
        el('td', { className: 'num' }, has(i.target) ? ytd + ' / ' + fmtNumber(i.target) : '—'),
        el('td', { className: 'num' }, has(i.completion) ? fmtNumber(i.completion) + '%' : '—'),
        el('td', { className: 'state ' + (i.on_pace === false ? 'state-late' : i.on_pace ? 'state-reported' : 'state-none') }, pace),
        el('td', { className: 'num' }, fmtNumber(i.count))
      ]), 'indicators'));
    });
    show(document.querySelector('#indicators-card .table-wrap'), indicators.length > 0);
    show($('indicators-none'), indicators.length === 0);
  }

  // ---------------------------------------------------------------- charts (ECharts, canvas)
  function colours() {
    var style = getComputedStyle(document.documentElement);
    function v(name, fallback) { return (style.getPropertyValue(name) || '').trim() || fallback; }
    return {
      text: getComputedStyle(document.body).color || '#333',
      hint: v('--hint', '#6b7280'),
      line: v('--line', 'rgba(127,127,127,0.22)'),
      ok: v('--ok', '#2e7d32'),
      late: v('--late', '#c77700'),
      bad: v('--bad', '#c62828'),
      accent: v('--accent', '#1f6fd1'),
      card: v('--card', '#fff')
    };
  }

  var observer = typeof ResizeObserver === 'function' ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var chart = charts[entry.target.id];
      if (chart && entry.target.clientWidth > 0) chart.resize();
    });
  }) : null;

  function chartIn(id, height, option, label) {
    var node = $(id);
    if (height) node.style.height = height + 'px';
    node.setAttribute('aria-label', label || '');
    if (!window.echarts) return null;
    var chart = charts[id];
    if (!chart) {
      chart = window.echarts.init(node, null, { renderer: 'canvas' });
      charts[id] = chart;
      if (observer) observer.observe(node);
      // data-rendered="1" once the chart is drawn (animation over): what screenshots wait for
      chart.on('finished', function () { node.setAttribute('data-rendered', '1'); });
    } else {
      chart.resize();
    }
    node.setAttribute('data-rendered', '0');
    chart.setOption(option, { notMerge: true });
    return chart;
  }

  function baseOption(c) {
    return {
      animationDuration: 300,
      textStyle: { color: c.text },
      // the tooltip is drawn on the canvas as plain text: names are never read as HTML
      tooltip: { renderMode: 'richText', confine: true, trigger: 'item' }
    };
  }

  function valueAxis(c, extra) {
    var axis = {
      type: 'value',
      axisLabel: { color: c.hint },
      splitLine: { lineStyle: { color: c.line } }
    };
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) axis[k] = extra[k];
    return axis;
  }

  function categoryAxis(c, names) {
    return {
      type: 'category',
      data: names,
      inverse: true,
      axisLabel: { color: c.text, width: 110, overflow: 'truncate' },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: c.line } }
    };
  }

  function stateColour(c, state) {
    return state === 'reported' ? c.ok : state === 'late' ? c.late : c.bad;
  }

  var lastSummaryData = null;

  function drawSummaryCharts(data) {
    lastSummaryData = data;
    drawGroups(data);
    drawTargets(data.indicators || []);
    drawValues(data.indicators || []);
  }

  function redrawCharts() {
    if (lastSummaryData && document.body.getAttribute('data-view') === 'summary') drawSummaryCharts(lastSummaryData);
  }

  /* Each department once, in its home working group (as the digest's chart counts). */
  function drawGroups(data) {
    var c = colours();
    var order = [];
    var counts = {};
    (data.groups || []).forEach(function (g) {
      if (!counts[g.name]) { order.push(g.name); counts[g.name] = { reported: 0, late: 0, missing: 0 }; }
    });
    var totals = { reported: 0, late: 0, missing: 0 };
    (data.departments || []).forEach(function (d) {
      if (!totals.hasOwnProperty(d.state)) return;
      totals[d.state] += 1;
      var g = d.group || t('group.none');
      if (!counts[g]) { order.push(g); counts[g] = { reported: 0, late: 0, missing: 0 }; }
      counts[g][d.state] += 1;
    });
    order = order.filter(function (g) { var n = counts[g]; return n.reported + n.late + n.missing > 0; });
    var label = t('chart.summary', totals);
    var names = { reported: t('state.reported'), late: t('state.late'), missing: t('state.missing') };
    var option = baseOption(c);
    var height;
    var realGroups = order.filter(function (g) { return g !== t('group.none'); });
    if (realGroups.length > 0) {
      $('groups-title').textContent = t('h.groups');
      option.tooltip.trigger = 'axis';
      option.tooltip.axisPointer = { type: 'shadow' };
      option.legend = { top: 0, textStyle: { color: c.text }, itemWidth: 14, itemHeight: 10 };
      option.grid = { left: 8, right: 16, top: 34, bottom: 4, containLabel: true };
      option.xAxis = valueAxis(c, { minInterval: 1 });
      option.yAxis = categoryAxis(c, order);
      option.series = ['reported', 'late', 'missing'].map(function (state) {
        return {
          name: names[state],
          type: 'bar',
          stack: 'units',
          barMaxWidth: 26,
          itemStyle: { color: stateColour(c, state) },
          data: order.map(function (g) { return counts[g][state]; })
        };
      });
      height = Math.max(180, 34 * order.length + 70);
    } else {
      $('groups-title').textContent = t('h.states');
      option.legend = { bottom: 0, textStyle: { color: c.text }, itemWidth: 14, itemHeight: 10 };
      option.series = [{
        name: t('h.states'),
        type: 'pie',
        radius: ['38%', '66%'],
        center: ['50%', '45%'],
        label: { color: c.text, formatter: '{b}: {c}' },
        data: ['reported', 'late', 'missing'].map(function (state) {
          return { name: names[state], value: totals[state], itemStyle: { color: stateColour(c, state) } };
        }).filter(function (item) { return item.value > 0; })
      }];
      height = 260;
    }
    chartIn('chart-groups', height, option, label);
  }

  function drawTargets(indicators) {
    var c = colours();
    var rows = indicators.filter(function (i) { return has(i.target); });
    show($('targets-none'), rows.length === 0);
    show($('chart-targets'), rows.length > 0);
    if (!rows.length) return;
    var top = 100;
    rows.forEach(function (i) { if (has(i.completion) && i.completion > top) top = i.completion; });
    var option = baseOption(c);
    option.grid = { left: 8, right: 56, top: 22, bottom: 4, containLabel: true };
    option.tooltip.formatter = function (p) {
      var i = rows[p.dataIndex];
      return i.name + (i.unit ? paren(i.unit) : '') + '\n' +
        (has(i.completion) ? fmtNumber(i.completion) + '%' : t('targets.no_figure')) +
        (has(i.target) ? ' · ' + t('targets.line') + ' ' + fmtNumber(i.target) : '');
    };
    option.xAxis = valueAxis(c, { max: Math.ceil(top * 1.1 / 10) * 10, axisLabel: { color: c.hint, formatter: '{value}%' } });
    option.yAxis = categoryAxis(c, rows.map(function (i) { return i.name; }));
    option.series = [{
      type: 'bar',
      barMaxWidth: 24,
      data: rows.map(function (i) {
        return {
          value: has(i.completion) ? i.completion : 0,
          itemStyle: { color: i.on_pace === false ? c.late : i.on_pace ? c.ok : c.hint }
        };
      }),
      label: {
        show: true,
        position: 'right',
        color: c.text,
        formatter: function (p) {
          var i = rows[p.dataIndex];
          return has(i.completion) ? fmtNumber(i.completion) + '%' : t('targets.no_figure');
        }
      },
      markLine: {
        silent: true,
        symbol: 'none',
        label: { formatter: t('targets.line'), color: c.hint, position: 'start' },
        lineStyle: { color: c.bad, type: 'dashed' },
        data: [{ xAxis: 100 }]
      }
    }];
    var label = rows.map(function (i) {
      return i.name + ' ' + (has(i.completion) ? fmtNumber(i.completion) + '%' : t('targets.no_figure'));
    }).join(lang === 'zh' ? '；' : '; ');
    chartIn('chart-targets', Math.max(160, 36 * rows.length + 40), option, label);
  }

  var chosenIndicator = null;

  function drawValues(indicators) {
    var rows = indicators.filter(function (i) { return (i.values || []).length > 0; });
    var card = $('values-card');
    show(card, rows.length > 0);
    if (!rows.length) return;
    var select = clear($('indicator-select'));
    var names = rows.map(function (i) { return i.name; });
    if (names.indexOf(chosenIndicator) < 0) chosenIndicator = names[0];
    rows.forEach(function (i) {
      select.appendChild(el('option', { value: i.name }, i.unit ? i.name + paren(i.unit) : i.name));
    });
    select.value = chosenIndicator;
    select.onchange = function () {
      chosenIndicator = select.value;
      drawValuesOf(rows[names.indexOf(chosenIndicator)]);
    };
    drawValuesOf(rows[names.indexOf(chosenIndicator)]);
  }

  function drawValuesOf(indicator) {
    if (!indicator) return;
    var c = colours();
    var values = (indicator.values || []).slice().sort(function (a, b) { return (b.value || 0) - (a.value || 0); });
    var option = baseOption(c);
    option.grid = { left: 8, right: 56, top: 8, bottom: 4, containLabel: true };
    option.tooltip.formatter = function (p) {
      var v = values[p.dataIndex];
      return v.department + '\n' + fmtNumber(v.value) + (indicator.unit ? ' ' + indicator.unit : '');
    };
    option.xAxis = valueAxis(c, {});
    option.yAxis = categoryAxis(c, values.map(function (v) { return v.department; }));
    option.series = [{
      type: 'bar',
      barMaxWidth: 20,
      itemStyle: { color: c.accent },
      label: { show: true, position: 'right', color: c.text, formatter: function (p) { return fmtNumber(values[p.dataIndex].value); } },
      data: values.map(function (v) { return v.value; })
    }];
    var label = indicator.name + (lang === 'zh' ? '：' : ': ') +
      values.map(function (v) { return v.department + ' ' + fmtNumber(v.value); }).join(lang === 'zh' ? '，' : ', ');
    chartIn('chart-values', Math.max(160, 28 * values.length + 30), option, label);
  }

  // ---------------------------------------------------------------- a department's page
  function renderDepartment(data, state) {
    setLang(data.lang);
    var office = data.office || {};
    $('office-name').textContent = office.name || '';
    $('meta').textContent = '';
    $('department-name').textContent = data.name || '';
    var meta = [];
    if (data.group) meta.push(t('dept.group', { name: data.group }));
    meta.push(data.liaison ? t('dept.liaison', { name: data.liaison }) : t('dept.no_liaison'));
    $('department-meta').textContent = meta.join(' · ');
    document.getElementById('department-page').setAttribute('data-department-id', String(data.id));

    var tasks = data.tasks || [];
    var body = clear(document.querySelector('#dept-tasks tbody'));
    tasks.forEach(function (task) {
      var title = el('td', { className: 'wrap head' }, task.title);
      if (task.lead) title.appendChild(tag(t('tag.lead')));
      var status = String(task.status || '');
      var cls = status === 'overdue' || status === 'unnotified' ? 'state state-missing'
        : status === 'done' ? 'state state-reported' : 'state state-none';
      body.appendChild(labelled(el('tr', null, [
        el('td', { className: 'num' }, '#' + task.task),
        title,
        el('td', { className: 'nowrap' }, task.standing ? t('tag.standing') : (task.due || '—')),
        el('td', null, el('span', { className: cls }, TEXTS['status.' + status] ? t('status.' + status) : status))
      ]), 'dept-tasks'));
    });
    show(document.querySelector('#dept-tasks-card .table-wrap'), tasks.length > 0);
    show($('dept-tasks-none'), tasks.length === 0);

    var reports = data.reports || [];
    var list = clear($('dept-reports'));
    reports.forEach(function (r) {
      var head = el('div', { className: 'entry-head' }, [
        el('strong', null, r.cycle_name || r.cycle || ''),
        el('span', null, t('version', { v: r.version })),
        el('span', null, fmtTime(r.submitted_at))
      ]);
      if (r.late) head.appendChild(el('span', { className: 'state state-late' }, t('report.late')));
      var item = el('li', null, head);
      if (r.text) item.appendChild(el('p', { className: 'entry-text' }, r.text));
      var files = r.files || [];
      if (files.length) {
        var ul = el('ul', { className: 'files' });
        files.forEach(function (name) { ul.appendChild(el('li', null, name)); });
        item.appendChild(ul);
      }
      list.appendChild(item);
    });
    show(list, reports.length > 0);
    show($('dept-reports-none'), reports.length === 0);

    var progress = data.progress || [];
    var plist = clear($('dept-progress'));
    progress.forEach(function (p) {
      var item = el('li', null, el('div', { className: 'entry-head' }, [
        el('strong', null, fmtTime(p.at)),
        el('span', null, t('progress.task', { task: p.task }))
      ]));
      if (p.text) item.appendChild(el('p', { className: 'entry-text' }, p.text));
      if (p.file) {
        var file = el('li', null, p.file);
        if (p.kind === 'photo') file.appendChild(tag(t('progress.photo')));
        item.appendChild(el('ul', { className: 'files' }, file));
      } else if (!p.text && (p.kind === 'photo' || p.kind === 'document')) {
        item.appendChild(el('p', { className: 'entry-text' }, t('progress.' + p.kind)));
      }
      plist.appendChild(item);
    });
    show(plist, progress.length > 0);
    show($('dept-progress-none'), progress.length === 0);

    setBack({ office: state.office, department: null }, t('back.overview'));
    setView('department');
  }

  // ---------------------------------------------------------------- start
  function start() {
    // the sortable headers keep their text key in data-label (the button replaces data-i18n)
    var headers = document.querySelectorAll('#departments th[data-sort]');
    for (var i = 0; i < headers.length; i++) {
      headers[i].setAttribute('data-label', headers[i].getAttribute('data-i18n'));
      headers[i].removeAttribute('data-i18n');
    }
    setLang(lang);
    readLaunch();
    $('group-filter').addEventListener('change', function (event) {
      table.group = event.target.value;
      fillDepartmentRows();
    });
    $('back').addEventListener('click', goBack);
    $('retry').addEventListener('click', function () { load(view.state || stateFromLocation()); });
    // back/forward in the page's own history, or a new signed link opened over this one (only the
    // fragment changed): sign in with the link's initData if it brings other, and show its state
    window.addEventListener('popstate', function () {
      freshInitData();
      load(stateFromLocation(), history.state && history.state.scroll);
    });
    window.addEventListener('hashchange', function () {
      if (freshInitData()) load(stateFromLocation());
    });
    window.addEventListener('resize', function () {
      if (observer) return;
      for (var id in charts) if (Object.prototype.hasOwnProperty.call(charts, id)) charts[id].resize();
    });
    if (window.matchMedia) {
      var dark = window.matchMedia('(prefers-color-scheme: dark)');
      if (dark.addEventListener) dark.addEventListener('change', redrawCharts);
    }
    if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
    tg.ready();
    var state = stateFromLocation();
    history.replaceState({ office: state.office, department: state.department, depth: 0, from: null }, '', urlOf(state));
    load(state);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
