// common.js — pieces several views share: breadcrumbs, household labels, export links.
import { t, tv } from '../i18n.js';
import { h } from '../dom.js';
import { qs } from '../api.js';

export function unitHref(code) {
  return '#/unit/' + encodeURIComponent(code);
}

// Breadcrumbs: the ancestors the user may see, then the current unit (not a link).
export function crumbs(ancestors, current) {
  const items = (ancestors || []).map((a) => h('li', null, h('a', { href: unitHref(a.code) }, a.name)));
  if (current) items.push(h('li', null, current.href ? h('a', { href: current.href }, current.name) : h('span', { 'aria-current': 'page' }, current.name)));
  if (!items.length) return null;
  return h('nav', { class: 'crumbs', 'aria-label': t('crumbs.label') }, h('ol', null, items));
}

// "3栋 1单元 102" (the words the community uses).
export function householdLabel(hh) {
  return [hh.building, hh.entrance, hh.room].filter(Boolean).join(' ');
}

export function exportLinks(code) {
  const base = '/api/v1/exports/residents';
  return h('p', { class: 'actions' },
    h('a', { class: 'btn', href: base + qs({ unit: code, format: 'csv' }), download: 'residents.csv' }, t('export.csv')),
    h('a', { class: 'btn', href: base + qs({ unit: code, format: 'xlsx' }), download: 'residents.xlsx' }, t('export.xlsx')));
}

export function occupancyBadge(occ) {
  return h('span', { class: 'badge badge-' + occ }, tv('occ', occ));
}
