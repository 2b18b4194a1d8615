{{/* Chart name, truncated to the 63 characters of a label value. */}}
{{- define "beesting.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: the release name, plus the chart name unless the release name holds it. */}}
{{- define "beesting.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "beesting.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object; call with (dict "ctx" $ "component" "agent"). */}}
{{- define "beesting.labels" -}}
helm.sh/chart: {{ include "beesting.chart" .ctx }}
{{ include "beesting.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end }}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "agent"). */}}
{{- define "beesting.selectorLabels" -}}
app.kubernetes.io/name: {{ include "beesting.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "beesting.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* BEESTING_NATS_URL: the bundled server's client Service, or the external URL. */}}
{{- define "beesting.natsUrl" -}}
{{- if eq .Values.nats.mode "external" }}
{{- required "nats.external.url is required when nats.mode is external" .Values.nats.external.url }}
{{- else }}
{{- printf "nats://%s-nats.%s.svc:4222" (include "beesting.fullname" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/* Settings shared by every app (design.md §7). */}}
{{- define "beesting.commonEnv" -}}
- name: BEESTING_NATS_URL
  value: {{ include "beesting.natsUrl" . | quote }}
- name: BEESTING_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end }}

{{/* Settings of the two node-local apps. */}}
{{- define "beesting.nodeEnv" -}}
- name: BEESTING_NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: BEESTING_STATE_DIR
  value: {{ .Values.agent.stateDir | quote }}
{{- end }}

{{/* The router's Secret holds only what the values give; the name is shared by its users. */}}
{{- define "beesting.routerSecretName" -}}
{{- printf "%s-alert-router" (include "beesting.fullname" .) }}
{{- end }}

{{- define "beesting.webhookSecretName" -}}
{{- default (include "beesting.routerSecretName" .) .Values.alertRouter.webhook.existingSecret }}
{{- end }}

{{- define "beesting.webhookSecretKey" -}}
{{- if .Values.alertRouter.webhook.existingSecret }}{{ .Values.alertRouter.webhook.existingSecretKey }}{{ else }}webhook-secret{{ end }}
{{- end }}

{{- define "beesting.slackSecretName" -}}
{{- default (include "beesting.routerSecretName" .) .Values.alertRouter.slack.existingSecret }}
{{- end }}

{{- define "beesting.slackSecretKey" -}}
{{- if .Values.alertRouter.slack.existingSecret }}{{ .Values.alertRouter.slack.existingSecretKey }}{{ else }}slack-webhook-url{{ end }}
{{- end }}

{{- define "beesting.slackEnabled" -}}
{{- if or .Values.alertRouter.slack.existingSecret .Values.alertRouter.slack.webhookUrl }}true{{ end }}
{{- end }}

{{/* Whether the chart makes the router Secret: a webhook key or a Slack URL given as a value. */}}
{{- define "beesting.routerSecretNeeded" -}}
{{- if or (and .Values.alertRouter.webhook.url (not .Values.alertRouter.webhook.existingSecret)) (and .Values.alertRouter.slack.webhookUrl (not .Values.alertRouter.slack.existingSecret)) }}true{{ end }}
{{- end }}
