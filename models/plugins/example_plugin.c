/* models/plugins/example_plugin.c — PLACEHOLDER (issue 3): example cost-model plugin. */
int myelin_example_plugin_placeholder(void);
int myelin_example_plugin_placeholder(void) { return 0; }
