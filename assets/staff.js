// The back office's one enhancement: the map pin of the service point form. Without
// it the latitude and longitude fields do the same.
(function () {
  'use strict';
  var box = document.getElementById('pin-map');
  var lat = document.getElementById('lat');
  var lon = document.getElementById('lon');
  if (!box || !lat || !lon || !window.L) { return; }
  var editable = box.getAttribute('data-editable') === 'true';
  var start = [parseFloat(lat.value) || 13.75, parseFloat(lon.value) || 100.5];
  var m = L.map(box, { scrollWheelZoom: false }).setView(start, 15);
  var tiles = box.getAttribute('data-tiles');
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: box.getAttribute('data-attribution') || '' }).addTo(m);
  }
  var marker = L.marker(start, { draggable: editable, keyboard: editable, title: box.getAttribute('aria-label') }).addTo(m);
  var where = document.getElementById('pin-in');
  var district = document.getElementById('district');
  var province = document.getElementById('province');
  var asked = 0;
  function locate(p) {
    // Only the answer to the latest question is shown: replies may come out of order.
    var mine = ++asked;
    fetch('/api/v1/staff/locate?lat=' + p.lat.toFixed(6) + '&lon=' + p.lng.toFixed(6), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!where || mine !== asked) { return; }
        var th = document.documentElement.lang === 'th';
        if (!d) { where.textContent = '-'; return; }
        where.textContent = th ? ('อำเภอ' + d.name + ' จังหวัด' + d.province) : (d.name_en + ' district, ' + d.province_en);
        // A dropped pin suggests the district and province where they are empty.
        if (district && !district.value) { district.value = d.name; }
        if (province && !province.value) { province.value = d.province; }
      })
      .catch(function () {});
  }
  function put(p) {
    lat.value = p.lat.toFixed(6);
    lon.value = p.lng.toFixed(6);
    locate(p);
  }
  if (editable) {
    marker.on('dragend', function () { put(marker.getLatLng()); });
    m.on('click', function (e) { marker.setLatLng(e.latlng); put(e.latlng); });
    function fromFields() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (!isNaN(a) && !isNaN(b)) { marker.setLatLng([a, b]); m.panTo([a, b]); locate(L.latLng(a, b)); }
    }
    lat.addEventListener('change', fromFields);
    lon.addEventListener('change', fromFields);
    var mine = document.getElementById('use-location');
    if (mine && 'geolocation' in navigator) {
      mine.hidden = false;
      mine.addEventListener('click', function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var p = L.latLng(pos.coords.latitude, pos.coords.longitude);
          marker.setLatLng(p); m.setView(p, 17); put(p);
        }, function () {}, { timeout: 10000, enableHighAccuracy: true });
      });
    }
  }
}());
