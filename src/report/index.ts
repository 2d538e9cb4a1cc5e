export { startStatusReporter, type StatusReporter } from "./start-status-reporter.ts";
