// The map of the actors: Leaflet from Debian's libjs-leaflet (served under /console/vendor/),
// loaded while the directory's list is read (preloadMap) or the first time the map is shown.
// The points come from the directory's lightest GeoJSON export (GET /v1/actors:export?format=
// EXPORT_FORMAT_GEOJSON_POINTS with the page's filter: a title and a name per actor), or from
// the search's results when words are typed. They are drawn on one canvas (10,000 points redraw in
// a few milliseconds, where 10,000 DOM markers would take seconds) over a plain background: no
// tile server is needed. A click near a point opens its name, a link to its card.
import { api, element } from './api.js';

let L = null;
let map = null;
let layer = null;
let lastKey = null;
let lastPoints = [];

let loading = null;
function leaflet() {
  if (!loading) {
    const css = element('link', { rel: 'stylesheet', href: 'vendor/leaflet/leaflet.css' });
    document.head.append(css);
    loading = import('./vendor/leaflet/leaflet.esm.min.js').then((module) => { L = module; });
  }
  return loading;
}

// Loads Leaflet ahead of the map (its files only; no data).
export function preloadMap() { return leaflet(); }

// A layer drawing every point on one canvas, redrawn when the view changes.
function pointsLayer(points) {
  const Points = L.Layer.extend({
    onAdd(target) {
      this.canvas = L.DomUtil.create('canvas', 'points-layer');
      target.getPanes().overlayPane.append(this.canvas);
      target.on('moveend zoomend resize viewreset', this.draw, this);
      target.on('click', this.pick, this);
      this.draw();
    },
    onRemove(target) {
      this.canvas.remove();
      target.off('moveend zoomend resize viewreset', this.draw, this);
      target.off('click', this.pick, this);
    },
    draw() {
      const size = this._map.getSize();
      L.DomUtil.setPosition(this.canvas, this._map.containerPointToLayerPoint([0, 0]));
      const ratio = window.devicePixelRatio || 1;
      this.canvas.width = size.x * ratio;
      this.canvas.height = size.y * ratio;
      this.canvas.style.width = `${size.x}px`;
      this.canvas.style.height = `${size.y}px`;
      const context = this.canvas.getContext('2d');
      context.scale(ratio, ratio);
      context.fillStyle = '#0b5cad';
      context.strokeStyle = '#fff';
      context.lineWidth = 1;
      context.beginPath();
      for (const point of points) {
        const at = this._map.latLngToContainerPoint(point.latLng);
        if (at.x < -6 || at.y < -6 || at.x > size.x + 6 || at.y > size.y + 6) continue;
        context.moveTo(at.x + 5, at.y);
        context.arc(at.x, at.y, 5, 0, 2 * Math.PI);
      }
      context.fill();
      context.stroke();
      this._map.getContainer().dataset.points = String(points.length);
    },
    pick(event) {
      let best = null;
      let bestDistance = 8 * 8;
      for (const point of points) {
        const at = this._map.latLngToContainerPoint(point.latLng);
        const d = (at.x - event.containerPoint.x) ** 2 + (at.y - event.containerPoint.y) ** 2;
        if (d <= bestDistance) { best = point; bestDistance = d; }
      }
      if (!best) return;
      const link = element('a', { href: `#acteur/${best.name.split('/')[1]}`, text: best.title });
      L.popup().setLatLng(best.latLng).setContent(element('div', {}, link, element('div', {
        class: 'place', text: best.place }))).openOn(this._map);
    },
  });
  return new Points();
}

async function pointsOf(filter, searched) {
  if (searched) {
    return searched.filter((a) => a.coordinates).map((a) => ({
      name: a.name, title: a.displayName,
      latLng: [a.coordinates.latitude, a.coordinates.longitude],
      place: [a.address?.postalCode, a.address?.city].filter(Boolean).join(' '),
    }));
  }
  if (filter === lastKey) return lastPoints;
  const collection = await api('GET', '/v1/actors:export?format=EXPORT_FORMAT_GEOJSON_POINTS' +
                                      (filter ? `&filter=${encodeURIComponent(filter)}` : ''));
  lastKey = filter;
  lastPoints = (collection.features || []).map((f) => ({
    name: f.properties.resource_name, title: f.properties.name,
    latLng: [f.geometry.coordinates[1], f.geometry.coordinates[0]], place: '',
  }));
  return lastPoints;
}

// Shows the actors of `filter` (or the `searched` actors) on the map in `container`, and says
// how many in `status`.
export async function showActorsOnMap({ filter, searched, status, container }) {
  const began = performance.now();
  const [points] = await Promise.all([pointsOf(filter, searched), leaflet()]);
  const read = performance.now();
  if (!map) {
    map = L.map(container, { zoomAnimation: false, fadeAnimation: false, minZoom: 3 });
    map.attributionControl.setPrefix('Leaflet');
    map.setView([46.6, 2.4], 5);
  }
  map.invalidateSize();
  if (layer) layer.remove();
  layer = pointsLayer(points);
  if (points.length > 0) {
    let [south, west, north, east] = [90, 180, -90, -180];
    for (const { latLng: [lat, lng] } of points) {
      south = Math.min(south, lat); north = Math.max(north, lat);
      west = Math.min(west, lng); east = Math.max(east, lng);
    }
    map.fitBounds([[south, west], [north, east]], { maxZoom: 14, padding: [20, 20] });
  }
  layer.addTo(map);
  // How long the points took to arrive and to be drawn (the scenarios print it).
  container.dataset.timing = `${Math.round(read - began)}+${Math.round(performance.now() - read)}`;
  const n = new Intl.NumberFormat('fr-FR').format(points.length);
  status.textContent = points.length === 0 ? 'Aucun de ces acteurs n\'a de coordonnées.'
      : `${n} acteur${points.length > 1 ? 's' : ''} sur la carte (ceux dont les coordonnées ` +
        'sont connues).';
}
