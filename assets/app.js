// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  var near = document.getElementById('near-me');
  if (near && 'geolocation' in navigator) {
    near.hidden = false;
    near.addEventListener('click', function () {
      var status = document.getElementById('near-status');
      status.textContent = near.getAttribute('data-wait');
      navigator.geolocation.getCurrentPosition(function (pos) {
        var f = near.form;
        f.elements.near.value = pos.coords.latitude.toFixed(5) + ',' + pos.coords.longitude.toFixed(5);
        f.submit();
      }, function () {
        status.textContent = near.getAttribute('data-denied');
        var place = document.getElementById('place');
        if (place) { place.open = true; }
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }
  var map = document.getElementById('map');
  if (map && window.L) {
    var points = JSON.parse(map.getAttribute('data-points') || '[]');
    if (!points.length) { return; }
    map.innerHTML = '';
    var m = L.map(map, { scrollWheelZoom: false });
    var tiles = map.getAttribute('data-tiles');
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: map.getAttribute('data-attribution') || '' }).addTo(m);
    }
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lon], { title: p.name, alt: p.name }).addTo(m);
      var link = document.createElement('a');
      link.href = p.url;
      link.textContent = p.name;
      marker.bindPopup(link);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) { m.setView(bounds[0], 15); } else { m.fitBounds(bounds, { padding: [20, 20] }); }
  }
}());
(function () {
  'use strict';
  var print = document.querySelector('[data-print]');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }
}());
