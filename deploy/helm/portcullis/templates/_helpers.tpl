{{/*
Names: the release name when it already contains the chart name, else "<release>-portcullis";
63 characters at most (a DNS label).
*/}}
{{- define "portcullis.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "portcullis.serviceAccountName" -}}
{{- default (include "portcullis.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "portcullis.leaseName" -}}
{{- default (printf "%s-leader" (include "portcullis.fullname" .)) .Values.leaderElection.name -}}
{{- end -}}

{{/* Labels of every object; the same as deploy/base's, plus the release's. */}}
{{- define "portcullis.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/part-of: portcullis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/*
Labels that select the controller pods. They are immutable on a Deployment or DaemonSet, so they
never include anything that changes between upgrades (versions).
*/}}
{{- define "portcullis.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{/* The workload kind, checked: anything else fails the render with one clear line. */}}
{{- define "portcullis.kind" -}}
{{- if not (has .Values.kind (list "Deployment" "DaemonSet")) -}}
{{- fail (printf "kind must be Deployment or DaemonSet, not %v" .Values.kind) -}}
{{- end -}}
{{- .Values.kind -}}
{{- end -}}
