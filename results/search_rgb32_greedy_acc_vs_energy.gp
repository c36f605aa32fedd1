# accuracy vs energy per inference of every evaluated candidate (myelin search)
set terminal svg size 860,480 dynamic
set output 'search_rgb32_greedy_acc_vs_energy.svg'
set title 'greedy search on fashion-rgb32 (generic-45nm): validation top-1 vs energy per inference'
set xlabel 'energy per inference (uJ)'
set ylabel 'validation top-1 (%)'
set grid
set key bottom right
set yrange [72.8:84.8]
plot 'search_rgb32_greedy_acc_vs_energy.dat' index 0 using 1:2 with points pt 7 ps 0.5 title 'candidates', '' index 1 using 1:2 with linespoints pt 6 title 'Pareto front', '' index 2 using 1:2 with points pt 5 ps 1.5 title 'chosen'
