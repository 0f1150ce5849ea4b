// A click on a box of a tree drawn by st.graphviz_chart names its node to Python (st.components.v2, no iframe).
// Each mount registers the container its graph is drawn in (a keyed st.container, class st-key-<box>) and the function
// that sends a value for it; ONE click listener on the document, installed once per page whatever the reruns, finds
// the clicked box (<g class="node" id="kpi-<node id>">), the registered container holding it, and sends the node's id.
const PREFIX = "kpi-";

export default function (component) {
  const { data, setTriggerValue } = component;
  const boxes = (window.__kpidesignGraphs ||= new Map());
  const entry = { send: (id) => setTriggerValue("selected", id) };
  boxes.set(data.box, entry);
  if (!window.__kpidesignGraphClick) {
    window.__kpidesignGraphClick = (event) => {
      const node = event.target instanceof Element ? event.target.closest("g.node") : null;
      if (!node || !node.id.startsWith(PREFIX)) return;
      for (const [box, registered] of window.__kpidesignGraphs) {
        const container = document.querySelector(".st-key-" + CSS.escape(box));
        if (container && container.contains(node)) {
          event.preventDefault();
          registered.send(node.id.slice(PREFIX.length));
          return;
        }
      }
    };
    document.addEventListener("click", window.__kpidesignGraphClick);
  }
  return () => {
    if (boxes.get(data.box) === entry) boxes.delete(data.box);
  };
}
