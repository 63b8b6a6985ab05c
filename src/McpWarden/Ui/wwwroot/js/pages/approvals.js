// The Approvals page.
import { h } from "../dom.js";

export default {
  title: "Approvals",
  mount(root) {
    root.append(h("h1", {}, "Approvals"));
  },
};
