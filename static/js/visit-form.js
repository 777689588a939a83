/* Show 末次月经 only for 已孕, and keep the offered next due date in step with the status and
   date. A date the user typed is left alone. Without JavaScript every field shows and the server
   recomputes an untouched default. */
(function () {
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var intervals = JSON.parse(document.getElementById("visit-intervals").textContent);
  var date = form.elements["visit_date"], due = form.elements["next_due"], offered = form.elements["next_due_default"];
  var lmp = document.getElementById("lmp-group");
  function status() {
    var checked = form.querySelector("input[name=pregnancy_status]:checked");
    return checked ? checked.value : "";
  }
  function update() {
    var s = status();
    lmp.classList.toggle("d-none", s !== "pregnant");
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.value);
    if (!m || !(s in intervals)) { return; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + intervals[s]));
    var value = d.toISOString().slice(0, 10);
    if (!due.value || due.value === offered.value) { due.value = value; }
    offered.value = value;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "pregnancy_status" || event.target === date) { update(); }
  });
  update();
})();
