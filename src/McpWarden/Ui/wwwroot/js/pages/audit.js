// The Audit page.
import { h } from "../dom.js";

export default {
  title: "Audit",
  mount(root) {
    root.append(h("h1", {}, "Audit"));
  },
};
